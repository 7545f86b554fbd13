import { describe, expect, it } from 'vitest';
import { MemorySeenMessages } from './seen-messages.store.js';

describe('MemorySeenMessages', () => {
  it('claims an id once per route within the window, and again after it or a release', async () => {
    let now = 1_000;
    const seen = new MemorySeenMessages(60_000, () => now);
    expect(await seen.claim('orders', 'msg_1')).toBe(true);
    expect(await seen.claim('orders', 'msg_1')).toBe(false);
    expect(await seen.claim('audit', 'msg_1')).toBe(true);

    await seen.release('orders', 'msg_1');
    expect(await seen.claim('orders', 'msg_1')).toBe(true);

    now += 60_001;
    expect(await seen.claim('orders', 'msg_1')).toBe(true);
    expect(await seen.claim('audit', 'msg_1')).toBe(true);
  });
});
