// Annotations from a LogQL log query: each line an event, labels as tags, optional title/text templates.

import type { AnnotationQuery, QueryEditorProps } from '@grafana/data';
import { Field, Input } from '@grafana/ui';
import React from 'react';

import type { DataSource } from '../datasource';
import type { LogQLOptions, LogQLQuery } from '../types';
import { QueryEditor } from './QueryEditor';

export interface LogQLAnnotationQuery extends LogQLQuery {
  /** comma-separated label names to use as tags (all labels when empty) */
  tagKeys?: string;
  /** e.g. `{{app}} deploy` */
  titleFormat?: string;
  /** e.g. `{{__line__}}` (the default) */
  textFormat?: string;
}

/** The annotation's own text settings, one input each. */
const TEXT_FIELDS: { key: 'tagKeys' | 'titleFormat' | 'textFormat'; label: string; description: string }[] = [
  { key: 'tagKeys', label: 'Tags', description: 'Comma-separated label names used as tags (empty: all labels)' },
  { key: 'titleFormat', label: 'Title', description: 'Template, e.g. {{app}}' },
  { key: 'textFormat', label: 'Text', description: 'Template; {{__line__}} is the log line (the default)' },
];

type Props = QueryEditorProps<DataSource, LogQLAnnotationQuery, LogQLOptions> & {
  annotation?: AnnotationQuery<LogQLAnnotationQuery>;
  onAnnotationChange?: (annotation: AnnotationQuery<LogQLAnnotationQuery>) => void;
};

export function AnnotationQueryEditor(props: Props) {
  const { annotation, onAnnotationChange } = props;
  if (!annotation || !onAnnotationChange) {
    return <div>Annotation editor needs Grafana’s annotation settings.</div>;
  }
  const target: LogQLAnnotationQuery = annotation.target ?? { refId: 'Anno', expr: '' };
  const set = (patch: Partial<LogQLAnnotationQuery>) =>
    onAnnotationChange({ ...annotation, target: { ...target, ...patch } });
  return (
    <div data-testid="logqlsql-annotation-editor">
      <QueryEditor
        {...(props as unknown as QueryEditorProps<DataSource, LogQLQuery, LogQLOptions>)}
        query={target}
        onChange={(q) => set(q)}
        onRunQuery={() => undefined}
      />
      {TEXT_FIELDS.map(({ key, label, description }) => (
        <Field key={key} label={label} description={description}>
          <Input
            aria-label={label}
            width={40}
            defaultValue={target[key] ?? ''}
            onBlur={(e) => set({ [key]: e.currentTarget.value })}
          />
        </Field>
      ))}
    </div>
  );
}
