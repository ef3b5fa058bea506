// Grafana's JSON data frame encoding ({schema, data}), used for live stream packets (StreamPacket.data). Times are
// epoch ms with the sub-millisecond remainder in `data.nanos`; NaN/±Inf floats are written as null and listed in
// `data.entities`, as the plugin SDK does.
import { TS_TYPE, type Frame, type FrameField, type FrameFieldType } from './arrow';

const GO_TYPE: Record<FrameFieldType, string> = {
  time: 'time.Time',
  string: 'string',
  float64: 'float64',
  int64: 'int64',
  bool: 'bool',
  json: 'json.RawMessage',
};

interface Entities {
  NaN?: number[];
  Inf?: number[];
  NegInf?: number[];
}

function fieldValues(f: FrameField): { values: unknown[]; nanos: number[] | null; entities: Entities | null } {
  const n = f.values.length;
  const src = f.values as ArrayLike<unknown>;
  const values: unknown[] = new Array(n);
  let nanos: number[] | null = null;
  let entities: Entities | null = null;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (v === null || v === undefined) {
      values[i] = null;
      continue;
    }
    switch (f.type) {
      case 'time': {
        const ns = typeof v === 'bigint' ? v : BigInt(Math.trunc(v as number));
        let ms = ns / 1_000_000n;
        let rem = ns % 1_000_000n;
        if (rem < 0n) {
          ms -= 1n;
          rem += 1_000_000n;
        }
        values[i] = Number(ms);
        if (rem !== 0n) {
          nanos ??= new Array(n).fill(0);
          nanos[i] = Number(rem);
        }
        break;
      }
      case 'float64': {
        const x = v as number;
        if (Number.isFinite(x)) values[i] = x;
        else {
          values[i] = null;
          entities ??= {};
          const key = Number.isNaN(x) ? 'NaN' : x > 0 ? 'Inf' : 'NegInf';
          (entities[key] ??= []).push(i);
        }
        break;
      }
      case 'int64':
        values[i] = typeof v === 'bigint' ? Number(v) : v;
        break;
      case 'json':
        values[i] = typeof v === 'string' ? JSON.parse(v) : v;
        break;
      default:
        values[i] = v;
    }
  }
  return { values, nanos, entities };
}

/** The schema part of a JSON frame. */
export function frameSchemaJSON(frame: Frame): Record<string, unknown> {
  const schema: Record<string, unknown> = {};
  if (frame.name) schema.name = frame.name;
  if (frame.refId) schema.refId = frame.refId;
  if (frame.meta) schema.meta = frame.meta;
  schema.fields = frame.fields.map((f) => {
    const o: Record<string, unknown> = { name: f.name, type: TS_TYPE[f.type] };
    o.typeInfo = f.nullable ? { frame: GO_TYPE[f.type], nullable: true } : { frame: GO_TYPE[f.type] };
    if (f.labels) o.labels = f.labels;
    if (f.config) o.config = f.config;
    return o;
  });
  return schema;
}

/** The data part of a JSON frame. */
export function frameDataJSON(frame: Frame): Record<string, unknown> {
  const cols = frame.fields.map(fieldValues);
  const data: Record<string, unknown> = { values: cols.map((c) => c.values) };
  if (cols.some((c) => c.entities)) data.entities = cols.map((c) => c.entities);
  if (cols.some((c) => c.nanos)) data.nanos = cols.map((c) => c.nanos);
  return data;
}

/** `{"schema": …, "data": …}` as Grafana's data frame JSON. */
export function frameToJSON(frame: Frame, include: 'all' | 'schema' | 'data' = 'all'): string {
  const o: Record<string, unknown> = {};
  if (include !== 'data') o.schema = frameSchemaJSON(frame);
  if (include !== 'schema') o.data = frameDataJSON(frame);
  return JSON.stringify(o);
}
