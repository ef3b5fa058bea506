// The hints row under the editor, as Grafana's Loki editor shows it: what was seen in the result, and a button that
// applies the fix to the query.
import { css } from '@emotion/css';
import type { DataFrame, GrafanaTheme2 } from '@grafana/data';
import { Button, useStyles2 } from '@grafana/ui';
import React, { useMemo } from 'react';

import { getQueryHints } from './hintRules';

export interface QueryHintsProps {
  expr: string;
  /** the last result of this query (a sample is enough) */
  frames: DataFrame[] | undefined;
  onFix: (expr: string) => void;
}

export function QueryHints({ expr, frames, onFix }: QueryHintsProps) {
  const styles = useStyles2(getStyles);
  const hints = useMemo(() => getQueryHints(expr, frames ?? []), [expr, frames]);
  if (hints.length === 0) {
    return null;
  }
  return (
    <div className={styles.row} data-testid="query-hints">
      {hints.map((h) => (
        <div key={h.type} className={styles.hint}>
          <span className={styles.label}>Hint: {h.label}</span>
          <Button size="sm" variant="secondary" fill="outline" icon="plus" onClick={() => onFix(h.fix.apply(expr))}>
            {h.fix.label}
          </Button>
        </div>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) }),
  hint: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1) }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
