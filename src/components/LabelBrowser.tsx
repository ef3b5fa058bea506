// Pick labels and their values into a selector: label names on top, the values of the chosen labels below (scoped by
// the other choices), the selector it makes with its validation (how many streams it matches), and buttons to use it
// — the steps of Grafana's Loki label browser.

import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Input, Stack, useStyles2 } from '@grafana/ui';
import React, { useEffect, useMemo, useState } from 'react';

import { escapeRegex, formatSelector, type Matcher } from '../data/logql';

export interface LabelBrowserProvider {
  labelNames(selector?: string): Promise<string[]>;
  labelValues(name: string, selector?: string): Promise<string[]>;
  /** label sets of the streams a selector matches (validation and the stream count) */
  series(match: string): Promise<Array<Record<string, string>>>;
}

type Validation =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'done'; streams: number }
  | { status: 'error'; message: string };

function messageOf(e: unknown): string {
  const err = e as { data?: { message?: string; error?: string }; message?: string };
  return err?.data?.error ?? err?.data?.message ?? err?.message ?? String(e);
}

export interface LabelBrowserProps {
  provider: LabelBrowserProvider;
  onChange: (selector: string) => void;
  onClose?: () => void;
}

/** The selector for the chosen values: one value `=`, several an anchored regex alternation. */
export function buildSelector(selected: Record<string, string[]>): string {
  const matchers: Matcher[] = Object.entries(selected)
    .filter(([, vs]) => vs.length > 0)
    .map(([label, vs]) =>
      vs.length === 1 ? { label, op: '=', value: vs[0] } : { label, op: '=~', value: vs.map(escapeRegex).join('|') },
    );
  return formatSelector(matchers);
}

export function LabelBrowser({ provider, onChange, onClose }: LabelBrowserProps) {
  const styles = useStyles2(getStyles);
  const [labels, setLabels] = useState<string[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [values, setValues] = useState<Record<string, string[]>>({});
  const [selected, setSelected] = useState<Record<string, string[]>>({});
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string>();
  const [validation, setValidation] = useState<Validation>({ status: 'idle' });
  const [labelFilter, setLabelFilter] = useState('');

  useEffect(() => {
    provider.labelNames().then(setLabels, (e) => setError(String(e?.message ?? e)));
  }, [provider]);

  const selector = useMemo(() => buildSelector(selected), [selected]);
  useEffect(() => setValidation({ status: 'idle' }), [selector]);

  const validate = () => {
    setValidation({ status: 'checking' });
    provider.series(selector).then(
      (s) => setValidation({ status: 'done', streams: s.length }),
      (e) => setValidation({ status: 'error', message: messageOf(e) }),
    );
  };

  useEffect(() => {
    let cancelled = false;
    Promise.all(
      chosen.map(async (l) => {
        const others: Record<string, string[]> = { ...selected };
        delete others[l];
        const scope = buildSelector(others);
        return [l, await provider.labelValues(l, scope === '{}' ? undefined : scope)] as const;
      }),
    ).then(
      (entries) => !cancelled && setValues(Object.fromEntries(entries)),
      (e) => !cancelled && setError(String(e?.message ?? e)),
    );
    return () => {
      cancelled = true;
    };
    // values depend on the other labels' choices
  }, [chosen, selected, provider]);

  const toggleLabel = (l: string) => {
    setChosen((c) => (c.includes(l) ? c.filter((x) => x !== l) : [...c, l]));
    setSelected((s) => {
      if (!(l in s)) {
        return s;
      }
      const n = { ...s };
      delete n[l];
      return n;
    });
  };
  const toggleValue = (l: string, v: string) =>
    setSelected((s) => {
      const cur = s[l] ?? [];
      return { ...s, [l]: cur.includes(v) ? cur.filter((x) => x !== v) : [...cur, v] };
    });

  return (
    <div className={styles.wrapper} data-testid="label-browser">
      <div className={styles.section}>
        <div className={styles.heading}>1. Select labels to search in</div>
        {labels.length > 12 && (
          <Input
            width={30}
            placeholder="Filter labels"
            value={labelFilter}
            aria-label="Filter labels"
            onChange={(e) => setLabelFilter(e.currentTarget.value)}
          />
        )}
        <div className={styles.chips}>
          {labels
            .filter((l) => chosen.includes(l) || l.toLowerCase().includes(labelFilter.toLowerCase()))
            .map((l) => (
              <Button
                key={l}
                size="sm"
                variant={chosen.includes(l) ? 'primary' : 'secondary'}
                aria-pressed={chosen.includes(l)}
                onClick={() => toggleLabel(l)}
              >
                {l}
              </Button>
            ))}
          {labels.length === 0 && !error && <span className={styles.muted}>No labels in this time range.</span>}
        </div>
      </div>
      {chosen.length > 0 && (
        <div className={styles.section}>
          <div className={styles.heading}>2. Select values</div>
          <Input
            width={30}
            placeholder="Filter values"
            value={filter}
            aria-label="Filter values"
            onChange={(e) => setFilter(e.currentTarget.value)}
          />
          {chosen.map((l) => (
            <div key={l} className={styles.valueRow}>
              <span className={styles.labelName}>{l}</span>
              <div className={styles.chips}>
                {(values[l] ?? [])
                  .filter((v) => v.toLowerCase().includes(filter.toLowerCase()))
                  .slice(0, 200)
                  .map((v) => (
                    <Button
                      key={v}
                      size="sm"
                      fill={selected[l]?.includes(v) ? 'solid' : 'outline'}
                      variant={selected[l]?.includes(v) ? 'primary' : 'secondary'}
                      aria-pressed={!!selected[l]?.includes(v)}
                      onClick={() => toggleValue(l, v)}
                    >
                      {v}
                    </Button>
                  ))}
              </div>
            </div>
          ))}
        </div>
      )}
      <div className={styles.section}>
        <div className={styles.heading}>3. Resulting selector</div>
        <pre className={styles.selector} data-testid="label-browser-selector">
          {selector}
        </pre>
        {error && <div className={styles.error}>{error}</div>}
        <div className={styles.validation} data-testid="label-browser-validation" aria-live="polite">
          {validation.status === 'checking' && 'Validating selector…'}
          {validation.status === 'done' &&
            (validation.streams > 0
              ? `Selector is valid (${validation.streams} stream${validation.streams === 1 ? '' : 's'} found)`
              : 'No streams match this selector in the time range')}
          {validation.status === 'error' && <span className={styles.error}>{validation.message}</span>}
        </div>
        <Stack gap={1}>
          <Button size="sm" disabled={selector === '{}'} onClick={() => onChange(selector)}>
            Show logs
          </Button>
          <Button
            size="sm"
            variant="secondary"
            disabled={selector === '{}'}
            onClick={() => onChange(`rate(${selector} [$__auto])`)}
          >
            Show logs rate
          </Button>
          <Button size="sm" variant="secondary" disabled={selector === '{}'} onClick={validate}>
            Validate selector
          </Button>
          {onClose && (
            <Button size="sm" variant="secondary" fill="text" onClick={onClose}>
              Close
            </Button>
          )}
        </Stack>
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
    marginBottom: theme.spacing(1),
  }),
  section: css({ marginBottom: theme.spacing(1) }),
  heading: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(0.5) }),
  chips: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) }),
  valueRow: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'baseline', marginTop: theme.spacing(0.5) }),
  labelName: css({ fontFamily: theme.typography.fontFamilyMonospace, minWidth: 100 }),
  selector: css({ fontFamily: theme.typography.fontFamilyMonospace, margin: 0, padding: theme.spacing(0.5) }),
  muted: css({ color: theme.colors.text.secondary }),
  validation: css({ minHeight: theme.spacing(3), color: theme.colors.text.secondary }),
  error: css({ color: theme.colors.error.text }),
});
