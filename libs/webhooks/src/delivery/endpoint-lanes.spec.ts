import { describe, expect, it } from 'vitest';
import { EndpointLanes } from './endpoint-lanes.js';

const job = (endpointId: string, n: number) => ({ msgId: `msg_${n}`, endpointId, attempts: 0 });

describe('EndpointLanes', () => {
  it('runs up to the bound per endpoint and keeps the rest waiting, whatever other endpoints do', () => {
    const lanes = new EndpointLanes(2, 2, 100);
    expect([1, 2, 3, 4].map((n) => lanes.admit(job('ep_slow', n)))).toEqual(['run', 'run', 'wait', 'wait']);
    expect(lanes.admit(job('ep_fast', 1))).toBe('run');
    expect(lanes.waiting).toBe(2);
  });

  it('hands the next waiting delivery of the same endpoint to the one that ended, in arrival order', () => {
    const lanes = new EndpointLanes(1, 1, 100);
    lanes.admit(job('ep_a', 1));
    lanes.admit(job('ep_a', 2));
    lanes.admit(job('ep_a', 3));
    expect(lanes.done('ep_a')).toEqual([job('ep_a', 2)]);
    expect(lanes.done('ep_a')).toEqual([job('ep_a', 3)]);
    expect(lanes.done('ep_a')).toEqual([]);
    expect(lanes.admit(job('ep_a', 4))).toBe('run');
  });

  it('lets an endpoint that answers quickly run more at once, up to the maximum, and halves that when it slows', () => {
    const lanes = new EndpointLanes(2, 4, 100);
    expect([1, 2, 3, 4, 5, 6].map((n) => lanes.admit(job('ep_a', n)))).toEqual(['run', 'run', 'wait', 'wait', 'wait', 'wait']);
    // Quick: the bound grows to 3, so the one that ended is replaced and one more starts.
    expect(lanes.done('ep_a', true)).toEqual([job('ep_a', 3), job('ep_a', 4)]);
    expect(lanes.done('ep_a', true)).toEqual([job('ep_a', 5), job('ep_a', 6)]);
    expect([7, 8].map((n) => lanes.admit(job('ep_a', n)))).toEqual(['wait', 'wait']);
    expect(lanes.done('ep_a', true)).toEqual([job('ep_a', 7)]);
    // Slow: back to 2 with 3 running, so nothing starts until two have ended.
    expect(lanes.done('ep_a', false)).toEqual([]);
    expect(lanes.done('ep_a')).toEqual([]);
    expect(lanes.done('ep_a')).toEqual([job('ep_a', 8)]);
  });

  it('keeps a hanging endpoint at its starting bound', () => {
    const lanes = new EndpointLanes(2, 10, 100);
    [1, 2, 3, 4, 5].forEach((n) => lanes.admit(job('ep_hang', n)));
    expect(lanes.done('ep_hang', false)).toEqual([job('ep_hang', 3)]);
    expect(lanes.done('ep_hang', false)).toEqual([job('ep_hang', 4)]);
    expect(lanes.admit(job('ep_hang', 6))).toBe('wait');
  });

  it('names the endpoints whose lines wait on slow answers, longest first, and not one that answers quickly', () => {
    const lanes = new EndpointLanes(1, 3, 100);
    [1, 2, 3].forEach((n) => lanes.admit(job('ep_hang', n)));
    [1, 2].forEach((n) => lanes.admit(job('ep_slow', n)));
    [1, 2, 3].forEach((n) => lanes.admit(job('ep_quick', n)));
    lanes.admit(job('ep_idle', 1));
    lanes.done('ep_slow', false);
    lanes.admit(job('ep_slow', 3));
    lanes.admit(job('ep_slow', 4));
    // ep_quick's bound grows to 2: one waiting delivery starts, one is left.
    lanes.done('ep_quick', true);
    expect(lanes.slow(10)).toEqual({ endpointIds: ['ep_hang', 'ep_slow'], waiting: 4 });
    expect(lanes.slow(1)).toEqual({ endpointIds: ['ep_hang'], waiting: 2 });
  });

  it('takes a place only while the endpoint has room, and never makes anything wait', () => {
    const lanes = new EndpointLanes(1, 1, 100);
    expect(lanes.take('ep_a')).toBe(true);
    expect(lanes.take('ep_a')).toBe(false);
    expect(lanes.waiting).toBe(0);
    expect(lanes.admit(job('ep_a', 1))).toBe('wait');
    // The place taken is given back like a run's: the waiting job starts in it.
    expect(lanes.done('ep_a')).toEqual([job('ep_a', 1)]);
    expect(lanes.take('ep_b')).toBe(true);
  });

  it('keeps a job queued again while it waits once', () => {
    const lanes = new EndpointLanes(1, 1, 100);
    lanes.admit(job('ep_a', 1));
    expect(lanes.admit(job('ep_a', 2))).toBe('wait');
    expect(lanes.admit(job('ep_a', 2))).toBe('wait');
    expect(lanes.waiting).toBe(1);
  });

  it('answers full past the waiting limit, and gives every waiting job back on drain', () => {
    const lanes = new EndpointLanes(1, 1, 2);
    lanes.admit(job('ep_a', 1));
    lanes.admit(job('ep_a', 2));
    lanes.admit(job('ep_a', 3));
    expect(lanes.admit(job('ep_a', 4))).toBe('full');
    expect(lanes.drain()).toEqual([job('ep_a', 2), job('ep_a', 3)]);
    expect(lanes.waiting).toBe(0);
    expect(lanes.done('ep_a')).toEqual([]);
  });
});
