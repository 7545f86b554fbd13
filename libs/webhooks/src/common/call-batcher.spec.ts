import { describe, expect, it } from 'vitest';
import { CallBatcher } from './call-batcher.js';

describe('CallBatcher', () => {
  it('runs calls made together as one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const batcher = new CallBatcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((item) => item * 10);
    });
    await expect(Promise.all([1, 2, 3].map((n) => batcher.call(n)))).resolves.toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('splits at the batch size and runs no more than maxRunning batches at once', async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const batcher = new CallBatcher<number, void>(
      async (items) => {
        running += 1;
        most = Math.max(most, running);
        sizes.push(items.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return items.map(() => undefined);
      },
      2,
      1,
    );
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.call(n)));
    expect(sizes).toEqual([2, 2, 1]);
    expect(most).toBe(1);
  });

  it('rejects every call of a batch that fails, and goes on with the next', async () => {
    let fail = true;
    const batcher = new CallBatcher<number, number>(async (items) => {
      if (fail) throw new Error('database gone');
      return items;
    });
    const failed = [batcher.call(1), batcher.call(2)];
    await expect(Promise.allSettled(failed)).resolves.toEqual([
      { status: 'rejected', reason: new Error('database gone') },
      { status: 'rejected', reason: new Error('database gone') },
    ]);
    fail = false;
    await expect(batcher.call(3)).resolves.toBe(3);
  });
});
