import { describe, expect, it } from 'vitest';
import { IngestGate, IngestRefused } from './backpressure';
import { PushValidationError } from './decode';

describe('IngestGate', () => {
  it('admits one oversized push when idle, refuses with 429 while the queue is full', async () => {
    const g = new IngestGate({ maxQueuedRows: 10 });
    let release!: () => void;
    const p = g.run(50, 1, () => new Promise<number>((r) => (release = () => r(1))));
    await expect(g.run(1, 1, async () => 2)).rejects.toMatchObject({ status: 429, retryAfterSeconds: 1 });
    expect(g.stats()).toMatchObject({ queuedRows: 50, inflight: 1, refused429: 1 });
    release();
    await expect(p).resolves.toBe(1);
    await expect(g.run(1, 1, async () => 3)).resolves.toBe(3);
    expect(g.stats().queuedRows).toBe(0);
  });

  it('answers 503 on write failures, backs off, then lets one probe through', async () => {
    let now = 1000;
    const g = new IngestGate({ now: () => now });
    await expect(g.run(1, 1, async () => Promise.reject(new Error('ECONNREFUSED')))).rejects.toMatchObject({
      status: 503,
    });
    let called = false;
    await expect(
      g.run(1, 1, async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(IngestRefused);
    expect(called).toBe(false);
    now += 1500;
    await expect(g.run(1, 1, async () => 'ok')).resolves.toBe('ok');
    expect(g.stats().failing).toBe(false);
  });

  it('never backs off longer than the probe interval, however long the outage (issue 10 item 9)', async () => {
    let now = 1000;
    const g = new IngestGate({ now: () => now });
    const down = async () => Promise.reject(new Error('connect ECONNREFUSED'));
    for (let i = 0; i < 20; i++) {
      await expect(g.run(1, 1, down)).rejects.toMatchObject({ status: 503, retryAfterSeconds: 1 });
      now += 250;
    }
    await expect(g.run(1, 1, async () => 'back')).resolves.toBe('back');
  });

  it('passes validation errors through without marking the database as failing', async () => {
    const g = new IngestGate();
    await expect(g.run(1, 1, async () => Promise.reject(new PushValidationError('bad')))).rejects.toBeInstanceOf(
      PushValidationError,
    );
    await expect(g.run(1, 1, async () => 1)).resolves.toBe(1);
  });

  it('answers 503 when the commit takes too long but keeps counting the rows until it ends', async () => {
    const g = new IngestGate({ commitTimeoutMs: 20, maxQueuedRows: 5 });
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    await expect(g.run(5, 1, () => slow)).rejects.toMatchObject({ status: 503 });
    expect(g.stats().queuedRows).toBe(5);
    release();
    await slow;
    await new Promise((r) => setTimeout(r, 0));
    expect(g.stats().queuedRows).toBe(0);
  });
});
