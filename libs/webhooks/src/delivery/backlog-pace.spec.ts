import { describe, expect, it } from 'vitest';
import { BacklogPace, type CpuTime } from './backlog-pace.js';

/** A machine whose cores were `busy` (a share) over each reading, 1,000 ms of CPU time a reading. */
function machine() {
  const time: CpuTime = { busy: 0, total: 0 };
  return {
    read: () => ({ ...time }),
    pass: (busy: number) => {
      time.busy += busy * 1000;
      time.total += 1000;
    },
  };
}

/** How many of `count` deliveries start at once under the pace (each holds until released). */
async function started(pace: BacklogPace, count: number): Promise<{ running: number; release: () => Promise<void> }> {
  let running = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const all = Array.from({ length: count }, () => pace.run(async () => void (running++, await gate)));
  await new Promise((resolve) => setImmediate(resolve));
  return { running, release: async () => (open(), await Promise.all(all)) };
}

describe('BacklogPace', () => {
  it('runs the whole concurrency while the cores have room', async () => {
    const cpu = machine();
    const pace = new BacklogPace(50, 0.9, cpu.read);
    cpu.pass(0.5);
    pace.adjust();
    const { running, release } = await started(pace, 80);
    expect(running).toBe(50);
    await release();
  });

  it('cuts the backlog down while the cores are busier than the ceiling, never under a tenth of the concurrency', async () => {
    const cpu = machine();
    const pace = new BacklogPace(50, 0.9, cpu.read);
    const allowed = [1, 2, 3, 4, 5, 6, 7, 8].map(() => (cpu.pass(1), pace.adjust(), pace.allowed));
    expect(allowed).toEqual([35, 24, 16, 11, 7, 5, 5, 5]);
    const { running, release } = await started(pace, 20);
    expect(running).toBe(5);
    await release();
  });

  it('grows back by one a reading once the cores are under the ceiling by a tenth, and holds in between', () => {
    const cpu = machine();
    const pace = new BacklogPace(50, 0.9, cpu.read);
    cpu.pass(1);
    pace.adjust();
    expect(pace.allowed).toBe(35);
    const allowed = [0.85, 0.7, 0.7, 0.85, 0.5].map((busy) => (cpu.pass(busy), pace.adjust(), pace.allowed));
    expect(allowed).toEqual([35, 36, 37, 37, 38]);
  });

  it('never slows the backlog with a ceiling of 1', async () => {
    const cpu = machine();
    const pace = new BacklogPace(10, 1, cpu.read);
    cpu.pass(1);
    pace.adjust();
    const { running, release } = await started(pace, 30);
    expect(running).toBe(30);
    await release();
  });
});
