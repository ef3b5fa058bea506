// The SQL a LogQL query becomes, for the data source's engine: what no other SQL data source shows.

import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Collapse, useStyles2 } from '@grafana/ui';
import React from 'react';

import type { Translation } from '../types';
import { useDebouncedAnswer } from './useDebouncedAnswer';

export interface SqlPreviewProps {
  expr: string;
  engine: string;
  translate: (expr: string) => Promise<Translation>;
  /** start expanded (the preference is the user's, kept by the editor) */
  isOpen: boolean;
  onToggle: (open: boolean) => void;
  debounceMs?: number;
}

/** a bound parameter as an SQL literal, for display */
export function formatParam(p: unknown): string {
  return typeof p === 'string' ? `'${p.replace(/'/g, "''")}'` : JSON.stringify(p);
}

export function SqlPreview({ expr, engine, translate, isOpen, onToggle, debounceMs = 300 }: SqlPreviewProps) {
  const styles = useStyles2(getStyles);
  const state = useDebouncedAnswer(expr, isOpen, translate, debounceMs);

  return (
    <div data-testid="sql-preview">
      <Collapse label={`SQL (${engine})`} isOpen={isOpen} onToggle={() => onToggle(!isOpen)} collapsible>
        {state.status === 'idle' && <div className={styles.muted}>Type a query to see the SQL it compiles to.</div>}
        {state.status === 'loading' && <div className={styles.muted}>Compiling…</div>}
        {state.status === 'error' && (
          <Alert severity="warning" title="Cannot show the SQL" data-testid="sql-preview-error">
            {state.message}
          </Alert>
        )}
        {state.status === 'done' && (
          <div data-testid="sql-preview-statements">
            {state.value.sql.map((s, i) => (
              <div key={i} className={styles.statement}>
                <pre className={styles.pre}>{s.text}</pre>
                {s.params?.length > 0 && (
                  <div className={styles.params}>
                    {s.params.map((p, j) => (
                      <span key={j} className={styles.param}>
                        ${j + 1} = {formatParam(p)}
                      </span>
                    ))}
                  </div>
                )}
              </div>
            ))}
            {state.value.tsStages?.length > 0 ? (
              <div className={styles.muted}>
                Runs after the database (TypeScript): {state.value.tsStages.join(', ')}
              </div>
            ) : (
              <div className={styles.muted}>Everything runs in the database.</div>
            )}
          </div>
        )}
      </Collapse>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  statement: css({ marginBottom: theme.spacing(1) }),
  pre: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
    margin: 0,
    padding: theme.spacing(1),
    background: theme.colors.background.canvas,
    borderRadius: theme.shape.radius.default,
  }),
  params: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1), marginTop: theme.spacing(0.5) }),
  param: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
  }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
