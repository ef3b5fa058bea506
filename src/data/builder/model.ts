// The builder's query model: the shape of @grafana/plugin-ui's VisualQuery (stream matchers, an ordered list of
// operations applied left to right, then queries joined by binary operators), declared here so that the registry,
// the renderer and the parser need no runtime import of the UI package.

import type { QueryBuilderLabelFilter, QueryBuilderOperation, VisualQueryBinary } from '@grafana/plugin-ui';

export interface LogQLBinaryQuery extends VisualQueryBinary<LogQLVisualQuery> {
  /** comparison operators: `> bool` returns 0/1 instead of filtering */
  bool?: boolean;
  /** many-to-one matching: `group_left (labels)` / `group_right (labels)`, labels comma-separated */
  groupSide?: 'left' | 'right';
  groupLabels?: string;
}

export interface LogQLVisualQuery {
  labels: QueryBuilderLabelFilter[];
  operations: QueryBuilderOperation[];
  binaryQueries?: LogQLBinaryQuery[];
}

export type { QueryBuilderLabelFilter, QueryBuilderOperation };
