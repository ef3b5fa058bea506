import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { decodeOtlpJson, decodeOtlpProtobuf, encodeOtlpProtobuf, normalizeLabelName } from './otlp';

const json = (o: unknown) => Buffer.from(JSON.stringify(o));

describe('OTLP → Loki streams (Loki 3 default mapping)', () => {
  it('maps OTLP JSON: index labels, metadata, non-string bodies, timestamps', () => {
    const streams = decodeOtlpJson(
      json({
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: 'svc' } },
                { key: 'k8s.pod.name', value: { stringValue: 'pod-1' } },
                { key: 'process.pid', value: { intValue: '42' } },
                { key: 'nested', value: { kvlistValue: { values: [{ key: 'a.b', value: { boolValue: true } }] } } },
              ],
            },
            scopeLogs: [
              {
                scope: { name: 'lib', version: '' },
                logRecords: [
                  {
                    timeUnixNano: '1795168800000000001',
                    body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'hi' } }] } },
                    severityNumber: 'SEVERITY_NUMBER_WARN',
                    traceId: 'AABB',
                    flags: 1,
                  },
                  {
                    observedTimeUnixNano: 1795168802,
                    body: { intValue: 7 },
                    attributes: [{ key: 'http.status_code', value: { doubleValue: 200.5 } }],
                  },
                  {
                    timeUnixNano: '1795168800000000003',
                    body: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '1' }] } },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(streams).toHaveLength(1);
    expect(streams[0]!.labels).toEqual({ service_name: 'svc', k8s_pod_name: 'pod-1' });
    const [a, b, c] = streams[0]!.entries;
    expect(a).toEqual({
      ts: 1795168800000000001n,
      line: '{"msg":"hi"}',
      metadata: {
        process_pid: '42',
        nested_a_b: 'true',
        scope_name: 'lib',
        severity_number: '13',
        trace_id: 'aabb',
        flags: '1',
      },
    });
    expect(b).toEqual({
      ts: 1795168802n,
      line: '7',
      metadata: { process_pid: '42', nested_a_b: 'true', scope_name: 'lib', http_status_code: '200.5' },
    });
    expect(c!.line).toBe('["x",1]');
  });

  it('accepts snake_case JSON, gzip, and protobuf; service_name defaults to unknown_service', () => {
    const snake = decodeOtlpJson(
      gzipSync(
        json({
          resource_logs: [{ scope_logs: [{ log_records: [{ time_unix_nano: '5', body: { string_value: 'a' } }] }] }],
        }),
      ),
      'gzip',
    );
    expect(snake).toEqual([{ labels: { service_name: 'unknown_service' }, entries: [{ ts: 5n, line: 'a' }] }]);
    const pb = decodeOtlpProtobuf(
      encodeOtlpProtobuf([
        { resource: { 'service.name': 's', 'deployment.environment': 'dev' }, records: [{ ts: 9n, body: 'b' }] },
      ]),
    );
    expect(pb).toEqual([
      { labels: { service_name: 's', deployment_environment: 'dev' }, entries: [{ ts: 9n, line: 'b' }] },
    ]);
  });

  it('uses the time of receipt when a record has no timestamps; rejects garbage', () => {
    const s = decodeOtlpJson(
      json({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }] }),
      undefined,
      { now: () => 77n },
    );
    expect(s[0]!.entries[0]!.ts).toBe(77n);
    expect(() => decodeOtlpJson(Buffer.from('nope'))).toThrow(/JSON/);
    expect(() => decodeOtlpProtobuf(Buffer.from([0xff, 0xff, 0xff]))).toThrow(/OTLP protobuf/);
  });

  it('normalises attribute names like Prometheus', () => {
    expect(normalizeLabelName('service.name')).toBe('service_name');
    expect(normalizeLabelName('1abc')).toBe('key_1abc');
    expect(normalizeLabelName('_x')).toBe('key_x');
    expect(normalizeLabelName('__x')).toBe('__x');
  });
});
