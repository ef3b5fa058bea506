// `/ready` latency while the server answers heavy queries: 20 clients repeat the suite's queries back to back and a
// probe asks `/ready` every 20 ms; the line printed is the probe's p50 / p99 / max (issue 9: p99 < 100 ms). A slow
// probe means the event loop was busy with a CPU stage instead of answering.
import { fetchAnswer } from './answers';
import { SUITE_HOURS, SUITE_START } from './data';
import type { SuiteQuery } from './tools';

export async function readyUnderLoad(url: string, queries: SuiteQuery[], seconds = 15, clients = 20): Promise<string> {
  const until = performance.now() + seconds * 1000;
  let answered = 0;
  const client = async (i: number) => {
    for (let k = i; performance.now() < until; k++) {
      await fetchAnswer(url, queries[k % queries.length], SUITE_START, SUITE_HOURS).catch(() => undefined);
      answered++;
    }
  };
  const probes: number[] = [];
  const probe = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await fetch(`${url}/ready`).then((r) => r.text());
      probes.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await Promise.all([probe(), ...Array.from({ length: clients }, (_, i) => client(i))]);
  probes.sort((a, b) => a - b);
  const at = (q: number) => probes[Math.min(probes.length - 1, Math.floor(q * probes.length))] ?? NaN;
  const p99 = at(0.99);
  return (
    `/ready under ${clients} concurrent suite queries (${answered} answered in ${seconds} s): ` +
    `p50 ${at(0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${at(1).toFixed(1)} ms over ${probes.length} probes ` +
    `(target p99 < 100 ms: ${p99 < 100 ? 'ok' : 'OVER'})`
  );
}
