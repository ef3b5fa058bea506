// A label picker for operation parameters (by/without labels, unwrap, label filters): the stream labels of the
// query's selector and the fields its lines yield (detected_fields), read when the menu opens; any name can be typed.

import type { SelectableValue } from '@grafana/data';
import type { QueryBuilderOperationParamEditorProps } from '@grafana/plugin-ui';
import { Select } from '@grafana/ui';
import React, { useState } from 'react';

import type { DataSource } from '../../datasource';
import type { LogQLVisualQuery } from '../../data/builder/model';
import { renderLabels } from '../../data/builder/render';

export function LabelParamEditor({
  value,
  index,
  onChange,
  datasource,
  query,
  paramDef,
  operationId,
}: QueryBuilderOperationParamEditorProps) {
  const [options, setOptions] = useState<Array<SelectableValue<string>>>([]);
  const [loading, setLoading] = useState(false);
  const text = value === undefined ? '' : String(value);

  const load = async () => {
    const provider = (datasource as unknown as DataSource).languageProvider;
    const selector = renderLabels((query as LogQLVisualQuery).labels ?? []);
    setLoading(true);
    try {
      const [names, fields] = await Promise.all([
        provider.labelNames(selector).catch(() => [] as string[]),
        provider.detectedFields(selector).catch(() => []),
      ]);
      const all = [...new Set([...names, ...fields.map((f) => f.label)])].filter((n) => !n.startsWith('__')).sort();
      setOptions(all.map((n) => ({ label: n, value: n })));
    } finally {
      setLoading(false);
    }
  };

  return (
    <Select<string>
      inputId={`operations.${operationId}.param.${index}`}
      aria-label={paramDef.name}
      allowCustomValue
      isLoading={loading}
      width="auto"
      placeholder={paramDef.placeholder ?? 'label'}
      value={text ? { label: text, value: text } : null}
      options={options}
      onOpenMenu={load}
      onChange={(v) => onChange(index, v?.value ?? '')}
    />
  );
}
