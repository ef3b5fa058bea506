// "Kick start your query": log and metric starting points written for the data source's real streams (the first
// label and value the database returns), each shown highlighted and applied in one click.

import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { RawQuery } from '@grafana/plugin-ui';
import { Button, Stack, useStyles2 } from '@grafana/ui';
import React, { useEffect, useState } from 'react';

import type { LanguageProvider } from '../../data/languageProvider';
import { QUERY_PATTERNS, sampleSelector, type PatternType } from '../../data/builder/patterns';
import { logqlLanguage } from './grammar';

interface Props {
  provider: Pick<LanguageProvider, 'labelNames' | 'labelValues'>;
  onSelect: (expr: string) => void;
  onClose: () => void;
}

const TITLES: Record<PatternType, string> = { logs: 'Log query starters', metric: 'Metric query starters' };

export function QueryPatterns({ provider, onSelect, onClose }: Props) {
  const styles = useStyles2(getStyles);
  const [selector, setSelector] = useState<string>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    sampleSelector(
      () => provider.labelNames(),
      (n) => provider.labelValues(n),
    ).then(
      (s) => live && setSelector(s),
      (e) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [provider]);

  return (
    <section className={styles.panel} aria-label="Kick start your query" data-testid="query-patterns">
      <Stack justifyContent="space-between" alignItems="center">
        <h6 className={styles.title}>Kick start your query</h6>
        <Button size="sm" variant="secondary" fill="text" icon="times" aria-label="Close patterns" onClick={onClose} />
      </Stack>
      {error && <div className={styles.muted}>Could not read labels: {error}</div>}
      {!selector && !error && <div className={styles.muted}>Reading labels…</div>}
      {selector &&
        (['logs', 'metric'] as const).map((type) => (
          <div key={type} className={styles.group}>
            <div className={styles.groupTitle}>{TITLES[type]}</div>
            <div className={styles.grid}>
              {QUERY_PATTERNS.filter((p) => p.type === type).map((p) => {
                const expr = p.build(selector);
                return (
                  <div key={p.name} className={styles.card} data-testid="query-pattern">
                    <div className={styles.cardTitle}>{p.name}</div>
                    <RawQuery query={expr} language={logqlLanguage as never} className={styles.query} />
                    <div>
                      <Button size="sm" variant="secondary" onClick={() => onSelect(expr)} aria-label={`Use ${p.name}`}>
                        Use this query
                      </Button>
                    </div>
                  </div>
                );
              })}
            </div>
          </div>
        ))}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    padding: theme.spacing(1, 2, 2),
  }),
  title: css({ margin: 0 }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  group: css({ marginTop: theme.spacing(1) }),
  groupTitle: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(0.5) }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(320px, 1fr))',
    gap: theme.spacing(1),
  }),
  card: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    padding: theme.spacing(1),
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  cardTitle: css({ fontSize: theme.typography.bodySmall.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  query: css({ wordBreak: 'break-all' }),
});
