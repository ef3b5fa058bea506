// Derived fields settings: a name, a regex over the line (or a label), and a URL or a data source to link to.

import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Field, IconButton, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import React from 'react';

import type { DerivedFieldConfig } from '../types';

export interface DerivedFieldsProps {
  value: DerivedFieldConfig[];
  onChange: (v: DerivedFieldConfig[]) => void;
}

export function DerivedFields({ value, onChange }: DerivedFieldsProps) {
  const styles = useStyles2(getStyles);
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
            <Field label="URL / query" description="${__value.raw} is the match">
              <Input
                width={36}
                aria-label="Derived field URL"
                value={f.url ?? ''}
                onChange={(e) => update(i, { url: e.currentTarget.value })}
              />
            </Field>
            <Field label="Internal link data source UID" description="Empty for an external URL">
              <Input
                width={20}
                aria-label="Derived field data source"
                value={f.datasourceUid ?? ''}
                onChange={(e) => update(i, { datasourceUid: e.currentTarget.value || undefined })}
              />
            </Field>
            <IconButton name="trash-alt" tooltip="Remove" onClick={() => onChange(value.filter((_, j) => j !== i))} />
          </div>
        );
      })}
      <Button
        size="sm"
        variant="secondary"
        icon="plus"
        onClick={() => onChange([...value, { name: '', matcherRegex: '', matcherType: 'regex' }])}
      >
        Add derived field
      </Button>
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
});
