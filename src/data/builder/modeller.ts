// The VisualQueryModeller @grafana/plugin-ui's OperationList reads: our registry by category, alternatives and ids.
// Implemented over the table rather than by extending QueryModellerBase, so the data layer (and its unit tests) need
// no runtime import of the UI package.

import type { VisualQuery, VisualQueryModeller } from '@grafana/plugin-ui';

import type { LogQLVisualQuery, QueryBuilderLabelFilter } from './model';
import { Category, OPERATIONS, type LogQLOperationDef } from './operations';
import { renderLabels, renderQuery } from './render';

const CATEGORIES = [
  Category.lineFilters,
  Category.formats,
  Category.labelFilters,
  Category.rangeFunctions,
  Category.aggregations,
  Category.functions,
  Category.binaryOps,
];

export class LogQLQueryModeller implements VisualQueryModeller {
  readonly innerQueryPlaceholder = '<expr>';
  private readonly defs: LogQLOperationDef[];
  private readonly byId: Map<string, LogQLOperationDef>;

  /** `decorate` lets the UI attach parameter editors (label pickers) without the registry importing React. */
  constructor(decorate: (d: LogQLOperationDef) => LogQLOperationDef = (d) => d) {
    this.defs = OPERATIONS.map(decorate);
    this.byId = new Map(this.defs.map((d) => [d.id, d]));
  }

  getCategories(): string[] {
    return CATEGORIES;
  }

  getOperationsForCategory(category: string): LogQLOperationDef[] {
    return this.defs.filter((d) => d.category === category && !d.hideFromList);
  }

  getAlternativeOperations(key: string): LogQLOperationDef[] {
    return this.defs.filter((d) => d.alternativesKey === key);
  }

  getOperationDefinition(id: string): LogQLOperationDef | undefined {
    return this.byId.get(id);
  }

  renderQuery(query: VisualQuery): string {
    return renderQuery(query as LogQLVisualQuery);
  }

  renderLabels(labels: QueryBuilderLabelFilter[]): string {
    return renderLabels(labels);
  }
}

export const logqlModeller = new LogQLQueryModeller();
