// Variable query editor: label names, label values (optionally scoped by a selector), or a LogQL query's results.

import {
  CustomVariableSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  type QueryEditorProps,
  type SelectableValue,
} from '@grafana/data';
import { Field, Input, RadioButtonGroup, Select } from '@grafana/ui';
import React, { useEffect, useState } from 'react';
import { from, map, type Observable } from 'rxjs';

import type { DataSource } from '../datasource';
import { parseVariableQuery, variableQueryToString } from '../data/variableQuery';
import type { LogQLOptions, LogQLQuery, LogQLVariableQuery, VariableQueryType } from '../types';

export type VariableEditorProps = QueryEditorProps<DataSource, LogQLQuery, LogQLOptions, LogQLVariableQuery>;

const TYPES: Array<SelectableValue<VariableQueryType>> = [
  { label: 'Label names', value: 'labelNames' },
  { label: 'Label values', value: 'labelValues' },
  { label: 'LogQL query', value: 'logql' },
];

export function VariableQueryEditor({ query, onChange, datasource }: VariableEditorProps) {
  const q = parseVariableQuery(
    (query as LogQLVariableQuery | string | undefined) ?? { refId: 'variable', type: 'labelNames' },
  );
  const [labels, setLabels] = useState<string[]>([]);
  useEffect(() => {
    datasource.languageProvider.labelNames().then(setLabels, () => setLabels([]));
  }, [datasource]);
  const update = (patch: Partial<LogQLVariableQuery>) => {
    const next = { ...q, ...patch, refId: q.refId ?? 'variable' };
    onChange({ ...next, query: variableQueryToString(next) } as LogQLVariableQuery);
  };
  return (
    <div data-testid="logqlsql-variable-editor">
      <Field label="Query type">
        <RadioButtonGroup<VariableQueryType> options={TYPES} value={q.type} onChange={(type) => update({ type })} />
      </Field>
      {q.type === 'labelValues' && (
        <Field label="Label">
          <Select<string>
            aria-label="Label"
            width={30}
            allowCustomValue
            options={labels.map((l) => ({ label: l, value: l }))}
            value={q.label ? { label: q.label, value: q.label } : null}
            onChange={(v) => update({ label: v.value })}
          />
        </Field>
      )}
      {(q.type === 'labelValues' || q.type === 'labelNames') && (
        <Field label="Stream selector" description='Optional, e.g. {app="api"}'>
          <Input
            aria-label="Stream selector"
            width={50}
            defaultValue={q.stream ?? ''}
            onBlur={(e) => update({ stream: e.currentTarget.value || undefined })}
          />
        </Field>
      )}
      {q.type === 'logql' && (
        <Field label="LogQL query" description="Metric query: each series’ labels; log query: each line">
          <Input
            aria-label="LogQL query"
            width={70}
            defaultValue={q.expr ?? ''}
            onBlur={(e) => update({ expr: e.currentTarget.value })}
          />
        </Field>
      )}
    </div>
  );
}

export class LogQLVariableSupport extends CustomVariableSupport<DataSource, LogQLVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<LogQLVariableQuery>): Observable<DataQueryResponse> {
    const target = request.targets[0];
    return from(this.datasource.metricFindQuery(target, { scopedVars: request.scopedVars, range: request.range })).pipe(
      map((data) => ({ data })),
    );
  }
}
