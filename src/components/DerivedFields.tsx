// Derived fields settings: a name, a regex over the line (or a label), and a URL or a data source to link to — with
// Grafana's data source picker for internal links, and a preview of what each field takes from a sample line (the
// "debug log message" of Grafana's Loki settings).

import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import { Button, Field, IconButton, Input, RadioButtonGroup, Switch, TextArea, useStyles2 } from '@grafana/ui';
import React, { useState } from 'react';

import type { DerivedFieldConfig } from '../types';

export interface DerivedFieldsProps {
  value: DerivedFieldConfig[];
  onChange: (v: DerivedFieldConfig[]) => void;
}

export const SAMPLE_LINE = 'level=info msg="request served" traceID=4bf92f3577b34da6a3ce929d0e0e4736 duration=12ms';

export interface DerivedPreview {
  name: string;
  value?: string;
  url?: string;
  error?: string;
}

/** What each derived field takes from `line` (regex fields; label fields read labels, which a line alone lacks). */
export function previewDerivedFields(fields: DerivedFieldConfig[], line: string): DerivedPreview[] {
  return fields
    .filter((f) => f.name)
    .map((f) => {
      if (f.matcherType === 'label') {
        return { name: f.name, error: `takes the value of label ${f.matcherRegex || '…'}` };
      }
      let re: RegExp;
      try {
        re = new RegExp(f.matcherRegex);
      } catch (e) {
        return { name: f.name, error: (e as Error).message };
      }
      const m = re.exec(line);
      if (!m) {
        return { name: f.name, error: 'no match in this line' };
      }
      const value = m[1] ?? m[0];
      const url = f.datasourceUid ? undefined : (f.url ?? '').replace(/\$\{__value\.raw\}/g, value);
      return { name: f.name, value, url };
    });
}

export function DerivedFields({ value, onChange }: DerivedFieldsProps) {
  const styles = useStyles2(getStyles);
  const [sample, setSample] = useState(SAMPLE_LINE);
  const [showPreview, setShowPreview] = useState(false);
  const update = (i: number, patch: Partial<DerivedFieldConfig>) =>
    onChange(value.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <div data-testid="logqlsql-derived-fields">
      {value.map((f, i) => {
        let regexError: string | undefined;
        if (f.matcherType !== 'label' && f.matcherRegex) {
          try {
            new RegExp(f.matcherRegex);
          } catch (e) {
            regexError = (e as Error).message;
          }
        }
        const internal = f.datasourceUid !== undefined;
        return (
          <div key={i} className={styles.row}>
            <Field label="Name">
              <Input
                width={16}
                aria-label="Derived field name"
                value={f.name}
                onChange={(e) => update(i, { name: e.currentTarget.value })}
              />
            </Field>
            <Field label="Type">
              <RadioButtonGroup
                size="sm"
                options={[
                  { label: 'Regex in line', value: 'regex' },
                  { label: 'Label', value: 'label' },
                ]}
                value={f.matcherType ?? 'regex'}
                onChange={(v) => update(i, { matcherType: v as 'regex' | 'label' })}
              />
            </Field>
            <Field
              label={f.matcherType === 'label' ? 'Label' : 'Regex'}
              invalid={Boolean(regexError)}
              error={regexError}
            >
              <Input
                width={28}
                aria-label="Derived field matcher"
                value={f.matcherRegex}
                placeholder="traceID=(\w+)"
                onChange={(e) => update(i, { matcherRegex: e.currentTarget.value })}
              />
            </Field>
            <Field label={internal ? 'Query' : 'URL'} description="${__value.raw} is the match">
              <Input
                width={36}
                aria-label="Derived field URL"
                value={f.url ?? ''}
                placeholder={internal ? '${__value.raw}' : 'https://example.com/trace/${__value.raw}'}
                onChange={(e) => update(i, { url: e.currentTarget.value })}
              />
            </Field>
            <Field label="Internal link">
              <Switch
                aria-label="Internal link"
                value={internal}
                onChange={(e) => update(i, { datasourceUid: e.currentTarget.checked ? '' : undefined })}
              />
            </Field>
            {internal && (
              <Field label="Data source">
                <DataSourcePicker
                  tracing
                  width={24}
                  current={f.datasourceUid || undefined}
                  noDefault
                  onChange={(ds) => update(i, { datasourceUid: ds.uid })}
                />
              </Field>
            )}
            <IconButton
              name="trash-alt"
              tooltip="Remove this derived field"
              onClick={() => onChange(value.filter((_, j) => j !== i))}
            />
          </div>
        );
      })}
      <div className={styles.actions}>
        <Button
          size="sm"
          variant="secondary"
          icon="plus"
          onClick={() => onChange([...value, { name: '', matcherRegex: '', matcherType: 'regex' }])}
        >
          Add derived field
        </Button>
        {value.length > 0 && (
          <Button size="sm" variant="secondary" fill="text" onClick={() => setShowPreview(!showPreview)}>
            {showPreview ? 'Hide example log message' : 'Show example log message'}
          </Button>
        )}
      </div>
      {showPreview && value.length > 0 && (
        <div className={styles.preview} data-testid="derived-fields-preview">
          <Field label="Example log message" description="Paste a line to see what each derived field takes from it">
            <TextArea
              aria-label="Example log message"
              rows={2}
              value={sample}
              onChange={(e) => setSample(e.currentTarget.value)}
            />
          </Field>
          <table className={styles.table}>
            <thead>
              <tr>
                <th>Field</th>
                <th>Value</th>
                <th>Link</th>
              </tr>
            </thead>
            <tbody>
              {previewDerivedFields(value, sample).map((p) => (
                <tr key={p.name}>
                  <td>{p.name}</td>
                  <td>{p.value ?? <span className={styles.muted}>{p.error}</span>}</td>
                  <td>{p.url ?? (p.value ? <span className={styles.muted}>internal query</span> : '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'flex-end',
    flexWrap: 'wrap',
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    marginBottom: theme.spacing(1),
  }),
  actions: css({ display: 'flex', gap: theme.spacing(1) }),
  preview: css({ marginTop: theme.spacing(1) }),
  table: css({
    width: '100%',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
    td: { fontFamily: theme.typography.fontFamilyMonospace, wordBreak: 'break-all' },
  }),
  muted: css({ color: theme.colors.text.secondary, fontFamily: theme.typography.fontFamily }),
});
