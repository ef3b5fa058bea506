import { describe, expect, it } from 'vitest';
import * as snappy from 'snappyjs';
import { decodePushProtobuf, encodePushProtobuf, PushRequestType } from './protobuf';
import { parseLabelsText } from './labelsText';
import { PushValidationError } from './decode';

describe('stream label strings (StreamAdapter.labels)', () => {
  it('parses Go-quoted values, escapes, raw strings, and drops empty values', () => {
    expect(parseLabelsText('{a="1", b="x\\"y\\\\z\\n", c=`raw\\n`, d=""}')).toEqual({
      a: '1',
      b: 'x"y\\z\n',
      c: 'raw\\n',
    });
    expect(parseLabelsText('{ job = "x" , }')).toEqual({ job: 'x' });
    expect(parseLabelsText('{a="\\u00e9\\xc3\\xa9\\101"}')).toEqual({ a: 'ééA' });
  });
  it.each(['', '{}', 'a="1"', '{a=~"1"}', '{a="1"', '{a="1"} x', '{1a="x"}', '{a="\\q"}'])('rejects %j', (s) => {
    expect(() => parseLabelsText(s)).toThrow(PushValidationError);
  });
});

describe('Loki protobuf push', () => {
  it('round-trips streams with structured metadata and exact nanosecond timestamps', () => {
    const streams = [
      {
        labels: { app: 'api', env: 'prod "quoted"' },
        entries: [
          { ts: 1795168800123456789n, line: 'hello', metadata: { trace_id: 'abc', user: 'ü' } },
          { ts: 1795168800123456790n, line: '' },
        ],
      },
    ];
    expect(decodePushProtobuf(encodePushProtobuf(streams))).toEqual(streams);
  });

  it('decodes a body built field by field from push.proto numbers (as Promtail sends it)', () => {
    // PushRequest{streams:[{labels:'{a="b"}', entries:[{timestamp:{seconds:2,nanos:5}, line:'x', structuredMetadata:[{name:'k',value:'v'}]}]}]}
    const raw = Buffer.from([
      0x0a,
      0x1c, // streams (1, len 28)
      0x0a,
      0x07,
      ...Buffer.from('{a="b"}'), // labels (1)
      0x12,
      0x11, // entries (2, len 17)
      0x0a,
      0x04,
      0x08,
      0x02,
      0x10,
      0x05, // timestamp (1): seconds=2, nanos=5
      0x12,
      0x01,
      0x78, // line (2) = 'x'
      0x1a,
      0x06,
      0x0a,
      0x01,
      0x6b,
      0x12,
      0x01,
      0x76, // structuredMetadata (3): name=k value=v
    ]);
    const body = Buffer.from(snappy.compress(new Uint8Array(raw)));
    expect(decodePushProtobuf(body)).toEqual([
      { labels: { a: 'b' }, entries: [{ ts: 2_000_000_005n, line: 'x', metadata: { k: 'v' } }] },
    ]);
    expect(PushRequestType.decode(raw).toJSON()).toMatchObject({ streams: [{ labels: '{a="b"}' }] });
  });

  it('rejects bodies that are not snappy, not protobuf, or carry bad labels', () => {
    expect(() => decodePushProtobuf(Buffer.from('{"streams":[]}'))).toThrow(/snappy/);
    expect(() => decodePushProtobuf(Buffer.from(snappy.compress(new Uint8Array([0x0a, 0x05, 0x01]))))).toThrow(
      /protobuf/,
    );
    const bad = encodePushProtobuf([{ labels: { a: 'b' }, entries: [{ ts: 1n, line: 'x' }] }]);
    const raw = Buffer.from(snappy.uncompress(new Uint8Array(bad)));
    raw[4] = 0x21; // corrupt the label name: `{!="b"}`
    expect(() => decodePushProtobuf(Buffer.from(snappy.compress(new Uint8Array(raw))))).toThrow(PushValidationError);
    expect(() => decodePushProtobuf(bad, 'br')).toThrow(/Content-Encoding/);
  });
});
