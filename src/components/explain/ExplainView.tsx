// Explain: the query's life, stage by stage as the data flows — what each stage does, and where it runs: in the
// database (its SQL one click away) or in TypeScript (with the planner's reason). Grafana's Loki editor explains
// what a stage does; only we can say where it runs, because we plan it.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, Collapse, Icon, IconButton, useStyles2, type BadgeColor, type IconName } from '@grafana/ui';
import React, { useState } from 'react';

import type { ExplainStage, Explanation, StageWhere } from './types';
import { formatParam } from '../SqlPreview';
import { useDebouncedAnswer } from '../useDebouncedAnswer';

export interface ExplainViewProps {
  expr: string;
  explain: (expr: string) => Promise<Explanation>;
  isOpen: boolean;
  onToggle: (open: boolean) => void;
  debounceMs?: number;
}

const WHERE: Record<StageWhere, { text: string; color: BadgeColor; icon: IconName; tooltip: string }> = {
  database: { text: 'Database', color: 'green', icon: 'database', tooltip: 'Runs inside the SQL statement' },
  typescript: {
    text: 'TypeScript',
    color: 'orange',
    icon: 'brackets-curly',
    tooltip: 'Runs on the rows after the database',
  },
  both: {
    text: 'Database + TypeScript',
    color: 'blue',
    icon: 'exchange-alt',
    tooltip: 'The database narrows or groups, TypeScript finishes',
  },
};

const ENGINE_NAMES: Record<string, string> = { duckdb: 'DuckDB', postgres: 'PostgreSQL', clickhouse: 'ClickHouse' };

function Stage({ stage, index }: { stage: ExplainStage; index: number }) {
  const styles = useStyles2(getStyles);
  const [showSql, setShowSql] = useState(false);
  const w = WHERE[stage.where];
  const sqlId = `explain-sql-${index}`;
  return (
    <li
      className={styles.stage}
      style={{ marginLeft: `${stage.depth * 16}px` }}
      data-testid="explain-stage"
      data-where={stage.where}
    >
      <div className={styles.head}>
        <Badge text={w.text} color={w.color} icon={w.icon} tooltip={w.tooltip} />
        <code className={styles.code}>{stage.text}</code>
        {stage.sql && (
          <IconButton
            name={showSql ? 'angle-down' : 'angle-right'}
            aria-expanded={showSql}
            aria-controls={sqlId}
            tooltip={showSql ? 'Hide the SQL' : 'Show the SQL'}
            onClick={() => setShowSql(!showSql)}
          />
        )}
      </div>
      <div className={styles.description}>{stage.description}</div>
      {stage.reason && (
        <div className={styles.reason}>
          <Icon name="info-circle" size="sm" /> {stage.reason}
        </div>
      )}
      {stage.sql && showSql && (
        <div id={sqlId}>
          <pre className={styles.pre} data-testid="explain-sql">
            {stage.sql.text}
          </pre>
          {stage.sql.params.length > 0 && (
            <div className={styles.params}>
              {stage.sql.params.map((p, j) => (
                <span key={j}>
                  ${j + 1} = {formatParam(p)}
                </span>
              ))}
            </div>
          )}
        </div>
      )}
    </li>
  );
}

export function ExplainView({ expr, explain, isOpen, onToggle, debounceMs = 300 }: ExplainViewProps) {
  const styles = useStyles2(getStyles);
  const state = useDebouncedAnswer(expr, isOpen, explain, debounceMs);

  const counts =
    state.status === 'done'
      ? {
          db: state.value.stages.filter((s) => s.where === 'database').length,
          ts: state.value.stages.filter((s) => s.where !== 'database').length,
        }
      : undefined;

  return (
    <div data-testid="explain-view">
      <Collapse label="Explain" isOpen={isOpen} onToggle={() => onToggle(!isOpen)} collapsible>
        {state.status === 'idle' && <div className={styles.muted}>Type a query to see how it runs.</div>}
        {state.status === 'loading' && <div className={styles.muted}>Planning…</div>}
        {state.status === 'error' && (
          <Alert severity="warning" title="Cannot explain this query" data-testid="explain-error">
            {state.message}
          </Alert>
        )}
        {state.status === 'done' && (
          <>
            <div className={styles.summary} data-testid="explain-summary">
              {state.value.type === 'logs' ? 'Log query' : 'Metric query'} on{' '}
              {ENGINE_NAMES[state.value.dialect] ?? state.value.dialect}:{' '}
              {counts!.ts === 0
                ? `all ${counts!.db} stages run in the database, in ${state.value.statements.length === 1 ? 'one SQL statement' : `${state.value.statements.length} SQL statements`}.`
                : `${counts!.db} of ${state.value.stages.length} stages run in the database; ${counts!.ts} run${counts!.ts === 1 ? 's' : ''} (at least partly) in TypeScript.`}
            </div>
            <ol className={styles.list}>
              {state.value.stages.map((s, i) => (
                <Stage key={i} stage={s} index={i} />
              ))}
            </ol>
            {state.value.notes.length > 0 && (
              <ul className={styles.notes}>
                {state.value.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            )}
          </>
        )}
      </Collapse>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
  stage: css({
    borderLeft: `2px solid ${theme.colors.border.medium}`,
    paddingLeft: theme.spacing(1),
  }),
  head: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1) }),
  code: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
    background: 'none',
    padding: 0,
  }),
  description: css({ color: theme.colors.text.primary, fontSize: theme.typography.bodySmall.fontSize }),
  reason: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  summary: css({ marginBottom: theme.spacing(1), color: theme.colors.text.secondary }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  pre: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
    margin: `${theme.spacing(0.5)} 0 0`,
    padding: theme.spacing(1),
    background: theme.colors.background.canvas,
    borderRadius: theme.shape.radius.default,
  }),
  params: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
  }),
  notes: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    marginTop: theme.spacing(1),
  }),
});
