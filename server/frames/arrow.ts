// Grafana data frames as Arrow IPC *file* buffers, one frame per buffer, in the layout the Grafana plugin SDK's
// frame decoder reads: schema metadata `name`, `refId`, `meta` (JSON); per field `labels`/`config` (JSON) and the
// SDK's `tstype` hint. Columns are built by hand from typed arrays so strings stay plain Utf8 (Arrow JS would pick a
// Dictionary when inferring) and timestamps keep exact nanoseconds.
import {
  Binary,
  Bool,
  DataType,
  Field,
  Float64,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampNanosecond,
  Utf8,
  makeData,
  tableToIPC,
  type Data,
} from 'apache-arrow';
import type { Labels } from '../engine/types';

export type FrameFieldType = 'time' | 'string' | 'float64' | 'int64' | 'bool' | 'json';

/** Column values by field type. `null` is allowed only when the field is nullable. */
export type FrameValues =
  | BigInt64Array
  | Float64Array
  | ReadonlyArray<bigint | null>
  | ReadonlyArray<number | null>
  | ReadonlyArray<string | null>
  | ReadonlyArray<boolean | null>
  | ReadonlyArray<unknown>;

export interface FrameField {
  name: string;
  type: FrameFieldType;
  /** time/int64: BigInt64Array or bigint[]; float64: Float64Array or number[]; string: string[]; bool: boolean[];
   *  json: already-encoded JSON strings or values to JSON.stringify */
  values: FrameValues;
  nullable?: boolean;
  labels?: Labels;
  /** Grafana FieldConfig (displayNameFromDS, unit, …) */
  config?: Record<string, unknown>;
}

export interface Notice {
  severity: 'info' | 'warning' | 'error';
  text: string;
  link?: string;
  inspect?: number;
}

/** The subset of Grafana's FrameMeta we write. */
export interface FrameMeta {
  type?: string;
  typeVersion?: [number, number];
  executedQueryString?: string;
  preferredVisualisationType?: string;
  notices?: Notice[];
  custom?: unknown;
  stats?: { displayName: string; value: number; unit?: string }[];
}

export interface Frame {
  name?: string;
  refId?: string;
  meta?: FrameMeta;
  fields: FrameField[];
}

/** Grafana's field type (`tstype` in Arrow metadata, `type` in the JSON schema) for each of ours. */
export const TS_TYPE: Record<FrameFieldType, string> = {
  time: 'time',
  string: 'string',
  float64: 'number',
  int64: 'number',
  bool: 'boolean',
  json: 'other',
};

const encoder = new TextEncoder();

function validity(values: ArrayLike<unknown>): { bitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === null || values[i] === undefined) nullCount++;
  if (nullCount === 0) return { nullCount };
  const bitmap = new Uint8Array(((values.length + 63) >> 6) << 3);
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== null && values[i] !== undefined) bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap, nullCount };
}

/** Variable-width column (Utf8 / Binary): every string UTF-8 encoded straight into one growing buffer. */
function varWidth<T extends Utf8 | Binary>(type: T, values: ArrayLike<string | null | undefined>): Data<T> {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let chars = 0;
  for (let i = 0; i < n; i++) chars += values[i]?.length ?? 0;
  let buf = new Uint8Array(Math.ceil(chars * 1.1) + 64);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v) {
      // worst case 3 bytes per UTF-16 unit; grow only when the string might not fit
      if (buf.length - pos < v.length * 3) {
        const r = encoder.encodeInto(v, buf.subarray(pos));
        if (r.read === v.length) pos += r.written;
        else {
          const bigger = new Uint8Array(Math.max(buf.length * 2, pos + v.length * 3 + 64));
          bigger.set(buf.subarray(0, pos));
          buf = bigger;
          pos += encoder.encodeInto(v, buf.subarray(pos)).written;
        }
      } else pos += encoder.encodeInto(v, buf.subarray(pos)).written;
      if (pos > 0x7fffffff) throw new Error('frame column exceeds 2 GiB');
    }
    offsets[i + 1] = pos;
  }
  const { bitmap, nullCount } = validity(values);
  const props = { type, length: n, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: buf.subarray(0, pos) };
  return (type instanceof Utf8
    ? makeData(props as { type: Utf8 } & typeof props)
    : makeData(props as { type: Binary } & typeof props)) as unknown as Data<T>;
}

function bigintColumn(values: FrameValues): { data: BigInt64Array; src: ArrayLike<unknown> } {
  if (values instanceof BigInt64Array) return { data: values, src: values };
  const src = values as ArrayLike<bigint | number | null>;
  const data = new BigInt64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    data[i] = v === null || v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
  }
  return { data, src };
}

function columnData(f: FrameField): { type: DataType; data: Data } {
  const n = f.values.length;
  switch (f.type) {
    case 'time':
    case 'int64': {
      const { data, src } = bigintColumn(f.values);
      const { bitmap, nullCount } = src === data ? { bitmap: undefined, nullCount: 0 } : validity(src);
      if (f.type === 'time') {
        const type = new TimestampNanosecond();
        return { type, data: makeData({ type, length: n, nullCount, nullBitmap: bitmap, data }) as Data };
      }
      const type = new Int64();
      return { type, data: makeData({ type, length: n, nullCount, nullBitmap: bitmap, data }) as Data };
    }
    case 'float64': {
      const type = new Float64();
      let data: Float64Array;
      let bitmap: Uint8Array | undefined;
      let nullCount = 0;
      if (f.values instanceof Float64Array) data = f.values;
      else {
        const src = f.values as ArrayLike<number | null>;
        data = new Float64Array(n);
        for (let i = 0; i < n; i++) data[i] = src[i] ?? 0;
        ({ bitmap, nullCount } = validity(src));
      }
      return { type, data: makeData({ type, length: n, nullCount, nullBitmap: bitmap, data }) as Data };
    }
    case 'bool': {
      const type = new Bool();
      const src = f.values as ArrayLike<boolean | null>;
      const data = new Uint8Array(((n + 63) >> 6) << 3);
      for (let i = 0; i < n; i++) if (src[i]) data[i >> 3] |= 1 << (i & 7);
      const { bitmap, nullCount } = validity(src);
      return { type, data: makeData({ type, length: n, nullCount, nullBitmap: bitmap, data }) as Data };
    }
    case 'string': {
      const type = new Utf8();
      return { type, data: varWidth(type, f.values as ArrayLike<string | null>) as Data };
    }
    case 'json': {
      const type = new Binary();
      const src = f.values as ArrayLike<unknown>;
      const strings: (string | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i];
        strings[i] = v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
      }
      return { type, data: varWidth(type, strings) as Data };
    }
  }
}

/** Build the Arrow table of one frame (exported for tests and benchmarks). */
export function frameToTable(frame: Frame): Table {
  const length = frame.fields.length ? frame.fields[0]!.values.length : 0;
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const f of frame.fields) {
    if (f.values.length !== length) {
      throw new Error(`frame field ${f.name} has ${f.values.length} values, expected ${length}`);
    }
    const { type, data } = columnData(f);
    const md = new Map<string, string>([['tstype', TS_TYPE[f.type]]]);
    if (f.labels) md.set('labels', JSON.stringify(f.labels));
    if (f.config) md.set('config', JSON.stringify(f.config));
    const nullable = f.nullable ?? false;
    if (!nullable && data.nullCount > 0) throw new Error(`frame field ${f.name} is not nullable but has nulls`);
    fields.push(new Field(f.name, type, nullable, md));
    children.push(data);
  }
  const meta = new Map<string, string>([
    ['name', frame.name ?? ''],
    ['refId', frame.refId ?? ''],
  ]);
  if (frame.meta) meta.set('meta', JSON.stringify(frame.meta));
  const schema = new Schema(fields, meta);
  const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  const batch = new RecordBatch(schema, data);
  return new Table(schema, [batch]);
}

/** Encode one frame as an Arrow IPC file (what `DataResponse.frames` carries). */
export function encodeFrame(frame: Frame): Uint8Array {
  return tableToIPC(frameToTable(frame), 'file');
}
