// Derived fields: a regex over the log line (or a label's value) becomes a new field whose values link somewhere —
// an external URL or an internal query in another data source (a trace ID into a tracing data source).

import { FieldType, type DataFrame, type DataLink, type Field } from '@grafana/data';
import type { DerivedFieldConfig } from '../types';

const LINE_FIELD_NAMES = ['body', 'line', 'Line'];

function lineField(frame: DataFrame): Field | undefined {
  return (
    frame.fields.find((f) => LINE_FIELD_NAMES.includes(f.name) && f.type === FieldType.string) ??
    frame.fields.find((f) => f.type === FieldType.string && f.name !== 'id' && f.name !== 'labels')
  );
}

function labelsAt(frame: DataFrame, i: number): Record<string, string> {
  const f = frame.fields.find((x) => x.name === 'labels');
  const v = f?.values[i];
  if (!v) {
    return {};
  }
  if (typeof v === 'string') {
    try {
      return JSON.parse(v);
    } catch {
      return {};
    }
  }
  return v as Record<string, string>;
}

export function derivedFieldLink(cfg: DerivedFieldConfig, datasourceName?: string): DataLink {
  if (cfg.datasourceUid) {
    return {
      title: cfg.urlDisplayLabel || '',
      url: '',
      internal: {
        query: { query: cfg.url || '${__value.raw}', refId: 'A' },
        datasourceUid: cfg.datasourceUid,
        datasourceName: datasourceName ?? cfg.datasourceUid,
      },
    };
  }
  return { title: cfg.urlDisplayLabel || '', url: cfg.url ?? '', targetBlank: true };
}

function isLogsFrame(frame: DataFrame): boolean {
  return frame.meta?.type === 'log-lines' || frame.meta?.preferredVisualisationType === 'logs' || frame.fields.some((f) => f.name === 'labels');
}

/** Add one field per derived-field config to every logs frame. Invalid regexes are skipped. */
export function applyDerivedFields(
  frames: DataFrame[],
  configs: DerivedFieldConfig[] | undefined,
  datasourceNames: Record<string, string> = {},
): DataFrame[] {
  if (!configs?.length) {
    return frames;
  }
  return frames.map((frame) => {
    if (!isLogsFrame(frame)) {
      return frame;
    }
    const line = lineField(frame);
    const added: Field[] = [];
    for (const cfg of configs) {
      if (!cfg.name || !cfg.matcherRegex) {
        continue;
      }
      let re: RegExp | undefined;
      if (cfg.matcherType !== 'label') {
        try {
          re = new RegExp(cfg.matcherRegex);
        } catch {
          continue;
        }
      }
      const values: Array<string | null> = [];
      for (let i = 0; i < frame.length; i++) {
        if (cfg.matcherType === 'label') {
          values.push(labelsAt(frame, i)[cfg.matcherRegex] ?? null);
        } else {
          const m = re!.exec(String(line?.values[i] ?? ''));
          values.push(m ? (m[1] ?? m[0]) : null);
        }
      }
      added.push({
        name: cfg.name,
        type: FieldType.string,
        config: { links: [derivedFieldLink(cfg, cfg.datasourceUid ? datasourceNames[cfg.datasourceUid] : undefined)] },
        values,
      });
    }
    return added.length ? { ...frame, fields: [...frame.fields, ...added] } : frame;
  });
}
