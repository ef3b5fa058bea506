// Builder mode: stream label filters with names and values from the database, the chain of operations and the
// queries joined by binary operators — @grafana/plugin-ui's LabelFilters and OperationList over our LogQL registry.

import { css } from '@emotion/css';
import type { DataSourceApi, GrafanaTheme2, SelectableValue, TimeRange } from '@grafana/data';
import {
  EditorRow,
  LabelFilters,
  OperationList,
  OperationsEditorRow,
  type QueryBuilderLabelFilter,
} from '@grafana/plugin-ui';
import { useStyles2 } from '@grafana/ui';
import React, { useRef } from 'react';

import type { DataSource } from '../../datasource';
import type { LogQLVisualQuery } from '../../data/builder/model';
import { builderModeller } from './builderModeller';
import { renderLabels } from '../../data/builder/render';
import { NestedQueries } from './NestedQueries';
import { useAccessibleLabelFilters } from './useAccessibleLabelFilters';

export interface LogQLBuilderProps {
  query: LogQLVisualQuery;
  datasource: DataSource;
  onChange: (query: LogQLVisualQuery) => void;
  onRunQuery: () => void;
  timeRange?: TimeRange;
}

const toOptions = (list: string[]): SelectableValue[] => list.map((v) => ({ label: v, value: v }));

export function LogQLBuilder({ query, datasource, onChange, onRunQuery, timeRange }: LogQLBuilderProps) {
  const styles = useStyles2(getStyles);
  const provider = datasource.languageProvider;
  const root = useRef<HTMLDivElement>(null);
  useAccessibleLabelFilters(root);

  // names and values are scoped to the streams the other complete matchers select, as Grafana's Loki builder does
  const otherSelector = (forLabel: Partial<QueryBuilderLabelFilter>) => {
    const others = query.labels.filter((l) => l.label && l.value && l.label !== forLabel.label);
    return others.length ? renderLabels(others) : undefined;
  };
  const onGetLabelNames = async (forLabel: Partial<QueryBuilderLabelFilter>) => {
    const used = new Set(query.labels.map((l) => l.label));
    const names = await provider.labelNames(otherSelector(forLabel));
    return toOptions(names.filter((n) => !used.has(n) || n === forLabel.label));
  };
  const onGetLabelValues = async (forLabel: Partial<QueryBuilderLabelFilter>) =>
    forLabel.label ? toOptions(await provider.labelValues(forLabel.label, otherSelector(forLabel))) : [];

  return (
    <div className={styles.builder} data-testid="logql-builder" ref={root}>
      <EditorRow>
        <LabelFilters
          labelsFilters={query.labels}
          onChange={(labels) => onChange({ ...query, labels: labels as QueryBuilderLabelFilter[] })}
          onGetLabelNames={onGetLabelNames}
          onGetLabelValues={onGetLabelValues}
          labelFilterRequired={true}
          multiValueSeparator="|"
        />
      </EditorRow>
      <OperationsEditorRow>
        <OperationList<LogQLVisualQuery>
          query={query}
          datasource={datasource as unknown as DataSourceApi}
          onChange={onChange}
          onRunQuery={onRunQuery}
          queryModeller={builderModeller}
          timeRange={timeRange}
        />
      </OperationsEditorRow>
      {query.binaryQueries && query.binaryQueries.length > 0 && (
        <NestedQueries
          queries={query.binaryQueries}
          datasource={datasource}
          onChange={(binaryQueries) =>
            onChange({ ...query, binaryQueries: binaryQueries.length ? binaryQueries : undefined })
          }
          onRunQuery={onRunQuery}
          timeRange={timeRange}
        />
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  builder: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
});
