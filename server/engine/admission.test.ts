import { describe, expect, it } from 'vitest';
import { Admission } from './admission';

const tick = () => new Promise((r) => setImmediate(r));

describe('Admission', () => {
  it('runs at most `limit` at once and grants the rest in arrival order', async () => {
    const a = new Admission(2);
    const order: number[] = [];
    const r1 = await a.acquire();
    const r2 = await a.acquire();
    const p3 = a.acquire().then((r) => (order.push(3), r));
    const p4 = a.acquire().then((r) => (order.push(4), r));
    await tick();
    expect(order).toEqual([]);
    r1();
    r1(); // a second release of the same slot is a no-op
    const r3 = await p3;
    await tick();
    expect(order).toEqual([3]);
    r2();
    const r4 = await p4;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    // all slots free again: two acquire at once without waiting
    const [x, y] = await Promise.all([a.acquire(), a.acquire()]);
    x();
    y();
  });

  it('a waiter whose signal aborts leaves the queue with an AbortError', async () => {
    const a = new Admission(1);
    const r1 = await a.acquire();
    const ac = new AbortController();
    const waiting = a.acquire(ac.signal);
    const next = a.acquire();
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    r1();
    const r2 = await next; // the aborted waiter did not take the slot
    r2();
    await expect(a.acquire(ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
