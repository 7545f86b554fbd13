import { describe, expect, it } from 'vitest';
import { EndpointLanes } from './endpoint-lanes.js';

const job = (endpointId: string, n: number) => ({ msgId: `msg_${n}`, endpointId, attempts: 0 });

describe('EndpointLanes', () => {
  it('runs up to the bound per endpoint and keeps the rest waiting, whatever other endpoints do', () => {
    const lanes = new EndpointLanes(2, 100);
    expect([1, 2, 3, 4].map((n) => lanes.admit(job('ep_slow', n)))).toEqual(['run', 'run', 'wait', 'wait']);
    expect(lanes.admit(job('ep_fast', 1))).toBe('run');
    expect(lanes.waiting).toBe(2);
  });

  it('hands the next waiting delivery of the same endpoint to the one that ended, in arrival order', () => {
    const lanes = new EndpointLanes(1, 100);
    lanes.admit(job('ep_a', 1));
    lanes.admit(job('ep_a', 2));
    lanes.admit(job('ep_a', 3));
    expect(lanes.done('ep_a')).toEqual(job('ep_a', 2));
    expect(lanes.done('ep_a')).toEqual(job('ep_a', 3));
    expect(lanes.done('ep_a')).toBeUndefined();
    expect(lanes.admit(job('ep_a', 4))).toBe('run');
  });

  it('keeps a job queued again while it waits once', () => {
    const lanes = new EndpointLanes(1, 100);
    lanes.admit(job('ep_a', 1));
    expect(lanes.admit(job('ep_a', 2))).toBe('wait');
    expect(lanes.admit(job('ep_a', 2))).toBe('wait');
    expect(lanes.waiting).toBe(1);
  });

  it('answers full past the waiting limit, and gives every waiting job back on drain', () => {
    const lanes = new EndpointLanes(1, 2);
    lanes.admit(job('ep_a', 1));
    lanes.admit(job('ep_a', 2));
    lanes.admit(job('ep_a', 3));
    expect(lanes.admit(job('ep_a', 4))).toBe('full');
    expect(lanes.drain()).toEqual([job('ep_a', 2), job('ep_a', 3)]);
    expect(lanes.waiting).toBe(0);
    expect(lanes.done('ep_a')).toBeUndefined();
  });
});
