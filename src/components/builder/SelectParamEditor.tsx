// A parameter with choices (range, offset, conversion, operator), as plugin-ui's own select editor but with the input
// named by the parameter: plugin-ui puts the label's id on the select's container, so its input has no accessible
// name (axe: "Form elements must have labels").

import type { SelectableValue } from '@grafana/data';
import type { QueryBuilderOperationParamEditorProps } from '@grafana/plugin-ui';
import { Button, Select, Stack } from '@grafana/ui';
import React from 'react';

export function SelectParamEditor({
  value,
  index,
  onChange,
  paramDef,
  operationId,
}: QueryBuilderOperationParamEditorProps) {
  const raw = (paramDef.options ?? []) as Array<string | number | SelectableValue<string>>;
  const options: Array<SelectableValue<string | number>> = raw.map((o) =>
    typeof o === 'object' ? o : { label: String(o), value: o },
  );
  if ((value === undefined || value === '') && paramDef.optional) {
    return (
      <Button
        size="sm"
        variant="secondary"
        icon="plus"
        title={`Add ${paramDef.name}`}
        onClick={() => onChange(index, options[0]?.value ?? '')}
      >
        {paramDef.name}
      </Button>
    );
  }
  const current = options.find((o) => o.value === value) ?? { label: String(value ?? ''), value: String(value ?? '') };
  return (
    <Stack gap={0.5} alignItems="center">
      <Select<string | number>
        inputId={`operations.${operationId}.param.${index}`}
        aria-label={paramDef.name}
        allowCustomValue
        width="auto"
        value={current}
        options={options}
        onChange={(v) => onChange(index, v?.value ?? '')}
      />
      {paramDef.optional && (
        <Button
          size="sm"
          fill="text"
          variant="secondary"
          icon="times"
          aria-label={`Remove ${paramDef.name}`}
          onClick={() => onChange(index, '')}
        />
      )}
    </Stack>
  );
}
