// A small data set whose answers are worked out by hand from Loki's documentation, for constructs the recorded
// conformance set cannot cover (Loki 2.9 predates them) and for edge cases.
import type { PushStream } from '../../server/engine/types';

export const T0 = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z
export const S = 1_000_000_000n;
export const at = (seconds: number): bigint => T0 + BigInt(seconds) * S;

export const FIXTURE: PushStream[] = [
  {
    labels: { app: 'a', env: 'prod' },
    entries: [
      { ts: at(10), line: 'level=info msg="hello world" status=200 latency=120ms' },
      { ts: at(20), line: 'level=error msg="db timeout" status=500 latency=2s' },
      { ts: at(30), line: '{"level":"warn","user":{"id":7,"name":"Zoë"},"tags":["x"],"dur":"350ms"}' },
      { ts: at(40), line: 'GET /api/v1/users 200 12ms' },
      { ts: at(50), line: '{"_entry":"unpacked line","pod":"p-1"}' },
    ],
  },
  {
    labels: { app: 'b', env: 'prod' },
    entries: [
      { ts: at(15), line: '10.0.0.5 - - "GET /x HTTP/1.1" 404' },
      { ts: at(25), line: '192.168.1.20 - - "POST /y HTTP/1.1" 200' },
      { ts: at(35), line: 'héllo wörld ✓' },
    ],
  },
  {
    labels: { app: 'c', env: 'dev' },
    entries: [
      { ts: at(10), line: '{"counter":10}' },
      { ts: at(20), line: '{"counter":20}' },
      { ts: at(30), line: '{"counter":30}' },
      { ts: at(40), line: '{"counter":5}' },
    ],
  },
];
