// The options row under the editor, collapsed to a one-line summary as Grafana's Loki editor shows it
// (plugin-ui's QueryOptionGroup): query type, legend, line limit, direction, step; the query-stats hint at its right.

import { QueryOptionGroup } from '@grafana/plugin-ui';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';
import React from 'react';

import type { LogQLQuery, QueryDirection, QueryType } from '../types';
import { isLogsQuery } from '../data/logql';
import { statsText, type IndexStats } from './QueryStatsHint';

export interface QueryOptionsProps {
  query: LogQLQuery;
  onChange: (q: LogQLQuery) => void;
  onRunQuery: () => void;
  maxLinesDefault?: number;
  /** index/stats of the query, shown as "This query will process about …" */
  stats?: IndexStats;
}

const TYPES: Array<{ label: string; value: QueryType }> = [
  { label: 'Range', value: 'range' },
  { label: 'Instant', value: 'instant' },
];
const DIRECTIONS: Array<{ label: string; value: QueryDirection }> = [
  { label: 'Backward', value: 'backward' },
  { label: 'Forward', value: 'forward' },
];

/** The collapsed row's summary, in the order and words of Grafana's Loki editor. */
export function optionsSummary(query: LogQLQuery, maxLinesDefault?: number): string[] {
  const logs = isLogsQuery(query.expr ?? '') || !(query.expr ?? '').trim();
  const type = (query.queryType ?? 'range') === 'range' ? 'Range' : 'Instant';
  const out: string[] = [];
  if (!logs) {
    out.push(`Legend: ${query.legendFormat || 'Auto'}`);
  }
  out.push(`Type: ${type}`);
  if (logs) {
    out.push(`Line limit: ${query.maxLines ?? maxLinesDefault ?? 1000}`);
    out.push(`Direction: ${(query.direction ?? 'backward') === 'backward' ? 'Backward' : 'Forward'}`);
  } else if (type === 'Range') {
    out.push(`Step: ${query.step || 'auto'}`);
  }
  return out;
}

export function QueryOptions({ query, onChange, onRunQuery, maxLinesDefault, stats }: QueryOptionsProps) {
  const logs = isLogsQuery(query.expr ?? '') || !(query.expr ?? '').trim();
  const update = (patch: Partial<LogQLQuery>, run = true) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };
  return (
    <div data-testid="logql-options">
      <QueryOptionGroup
        title="Options"
        collapsedInfo={optionsSummary(query, maxLinesDefault)}
        queryStats={stats ? { ...stats, message: statsText(stats) } : undefined}
      >
        <InlineFieldRow>
          <InlineField label="Type" tooltip="Range: a series over the time range. Instant: one value at its end.">
            <RadioButtonGroup<QueryType>
              size="sm"
              options={TYPES}
              value={query.queryType ?? 'range'}
              onChange={(v) => update({ queryType: v })}
            />
          </InlineField>
          {!logs && (
            <InlineField label="Legend" tooltip="Series name, e.g. {{level}}">
              <Input
                width={20}
                placeholder="{{label}}"
                defaultValue={query.legendFormat ?? ''}
                aria-label="Legend format"
                onBlur={(e) => update({ legendFormat: e.currentTarget.value || undefined })}
              />
            </InlineField>
          )}
          {logs && (
            <InlineField label="Line limit" tooltip="The most log lines to return">
              <Input
                width={10}
                type="number"
                min={1}
                aria-label="Line limit"
                placeholder={String(maxLinesDefault ?? 1000)}
                defaultValue={query.maxLines ?? ''}
                onBlur={(e) => {
                  const n = parseInt(e.currentTarget.value, 10);
                  update({ maxLines: Number.isFinite(n) && n > 0 ? n : undefined });
                }}
              />
            </InlineField>
          )}
          {logs && (
            <InlineField label="Direction">
              <RadioButtonGroup<QueryDirection>
                size="sm"
                options={DIRECTIONS}
                value={query.direction ?? 'backward'}
                onChange={(v) => update({ direction: v })}
              />
            </InlineField>
          )}
          {!logs && (query.queryType ?? 'range') === 'range' && (
            <InlineField label="Step" tooltip="Resolution of a range query, e.g. 1m or $__interval. Empty: automatic.">
              <Input
                width={12}
                placeholder="auto"
                aria-label="Step"
                defaultValue={query.step ?? ''}
                onBlur={(e) => update({ step: e.currentTarget.value.trim() || undefined })}
              />
            </InlineField>
          )}
        </InlineFieldRow>
      </QueryOptionGroup>
    </div>
  );
}
