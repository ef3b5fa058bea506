// Queries joined to the builder's query by a binary operator (`a / on (host) b`): operator, bool, vector matching
// and the nested query's own builder. Grafana's Loki builder keeps these in its core; plugin-ui has no such part.

import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue, TimeRange } from '@grafana/data';
import { EditorField, EditorFieldGroup, EditorRow } from '@grafana/plugin-ui';
import { Button, Checkbox, Input, Select, useStyles2 } from '@grafana/ui';
import React from 'react';

import type { DataSource } from '../../datasource';
import type { LogQLBinaryQuery, LogQLVisualQuery } from '../../data/builder/model';
import { BINARY_PRECEDENCE, COMPARISON_OPS } from '../../data/builder/operations';
import { LogQLBuilder } from './LogQLBuilder';

const OPERATORS: Array<SelectableValue<string>> = Object.keys(BINARY_PRECEDENCE).map((op) => ({
  label: op,
  value: op,
}));
const MATCHING: Array<SelectableValue<string>> = [
  { label: 'all labels', value: '' },
  { label: 'on', value: 'on' },
  { label: 'ignoring', value: 'ignoring' },
];
const GROUPS: Array<SelectableValue<string>> = [
  { label: 'one-to-one', value: '' },
  { label: 'group_left', value: 'left' },
  { label: 'group_right', value: 'right' },
];

interface Props {
  queries: LogQLBinaryQuery[];
  datasource: DataSource;
  onChange: (queries: LogQLBinaryQuery[]) => void;
  onRunQuery: () => void;
  timeRange?: TimeRange;
}

export function NestedQueries({ queries, datasource, onChange, onRunQuery, timeRange }: Props) {
  const styles = useStyles2(getStyles);
  const update = (i: number, patch: Partial<LogQLBinaryQuery>) =>
    onChange(queries.map((q, j) => (j === i ? { ...q, ...patch } : q)));
  return (
    <>
      {queries.map((b, i) => (
        <div key={i} className={styles.nested} data-testid={`nested-query-${i}`}>
          <EditorRow>
            <EditorFieldGroup>
              <EditorField label="Operator">
                <Select
                  aria-label="Binary operator"
                  width={10}
                  options={OPERATORS}
                  value={b.operator}
                  onChange={(v) =>
                    update(i, {
                      operator: v.value ?? '/',
                      bool: COMPARISON_OPS.has(v.value ?? '') ? b.bool : undefined,
                    })
                  }
                />
              </EditorField>
              {COMPARISON_OPS.has(b.operator) && (
                <EditorField label="Bool">
                  <Checkbox
                    value={Boolean(b.bool)}
                    onChange={(e) => update(i, { bool: e.currentTarget.checked || undefined })}
                  />
                </EditorField>
              )}
              <EditorField label="Vector matching">
                <Select
                  aria-label="Vector matching"
                  width={16}
                  options={MATCHING}
                  value={b.vectorMatchesType ?? ''}
                  onChange={(v) =>
                    update(i, {
                      vectorMatchesType: (v.value || undefined) as LogQLBinaryQuery['vectorMatchesType'],
                      groupSide: v.value ? b.groupSide : undefined,
                    })
                  }
                />
              </EditorField>
              {b.vectorMatchesType && (
                <EditorField label="Labels">
                  <Input
                    aria-label="Matching labels"
                    width={24}
                    defaultValue={b.vectorMatches ?? ''}
                    placeholder="host, app"
                    onBlur={(e) => update(i, { vectorMatches: e.currentTarget.value })}
                  />
                </EditorField>
              )}
              {b.vectorMatchesType && (
                <EditorField label="Group">
                  <Select
                    aria-label="Group modifier"
                    width={16}
                    options={GROUPS}
                    value={b.groupSide ?? ''}
                    onChange={(v) => update(i, { groupSide: (v.value || undefined) as LogQLBinaryQuery['groupSide'] })}
                  />
                </EditorField>
              )}
              {b.vectorMatchesType && b.groupSide && (
                <EditorField label="Include">
                  <Input
                    aria-label="Group labels"
                    width={20}
                    defaultValue={b.groupLabels ?? ''}
                    placeholder="labels to copy"
                    onBlur={(e) => update(i, { groupLabels: e.currentTarget.value })}
                  />
                </EditorField>
              )}
              <Button
                variant="secondary"
                fill="text"
                icon="times"
                aria-label="Remove nested query"
                onClick={() => onChange(queries.filter((_, j) => j !== i))}
              />
            </EditorFieldGroup>
          </EditorRow>
          <LogQLBuilder
            query={b.query}
            datasource={datasource}
            onChange={(q: LogQLVisualQuery) => update(i, { query: q })}
            onRunQuery={onRunQuery}
            timeRange={timeRange}
          />
        </div>
      ))}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  nested: css({
    borderLeft: `2px solid ${theme.colors.border.strong}`,
    paddingLeft: theme.spacing(1),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  }),
});
