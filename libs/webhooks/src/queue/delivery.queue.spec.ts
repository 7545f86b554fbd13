import type { Queue } from 'bull';
import { describe, expect, it } from 'vitest';
import { DeliveryQueue, QUEUE_HORIZON_MS, deliveriesOf, type DeliveryJobData } from './delivery.queue.js';

type Added = { data: DeliveryJobData; opts: { jobId: string; delay: number } }[];

/** Stand-ins for Bull's queues (new deliveries, the backlog) that keep what addBulk was given. */
function recordingQueue() {
  const stand = (added: Added) => ({ client: { status: 'ready' }, addBulk: async (jobs: Added) => void added.push(...jobs) }) as unknown as Queue<DeliveryJobData>;
  const added: Added = [];
  const backlog: Added = [];
  return { queue: new DeliveryQueue(stand(added), stand(backlog)), added, backlog };
}

const delivery = (n: number, dueAt?: Date) => ({ msgId: `msg_${n}`, endpointId: 'ep_1', attempts: 0, dueAt });

describe('DeliveryQueue.enqueue', () => {
  it('puts deliveries due now into shared jobs of at most 50, each delivery once', async () => {
    const { queue, added } = recordingQueue();
    await queue.enqueue(Array.from({ length: 120 }, (_, n) => delivery(n)));
    expect(added.map((job) => deliveriesOf(job.data).length)).toEqual([50, 50, 20]);
    expect(added.flatMap((job) => deliveriesOf(job.data).map((d) => d.msgId))).toEqual(Array.from({ length: 120 }, (_, n) => `msg_${n}`));
    expect(added.every((job) => job.opts.delay === 0)).toBe(true);
    expect(new Set(added.map((job) => job.opts.jobId)).size).toBe(3);
  });

  it('gives a delivery due within the horizon a job of its own, with its delay and an id naming its row and attempt', async () => {
    const { queue, added } = recordingQueue();
    await queue.enqueue([delivery(1), delivery(2, new Date(Date.now() + QUEUE_HORIZON_MS - 1_000))]);
    expect(added).toHaveLength(2);
    expect(added[0]).toMatchObject({ data: { msgId: 'msg_1', endpointId: 'ep_1', attempts: 0 }, opts: { jobId: 'msg_1:ep_1:0', delay: 0 } });
    expect(added[1]).toMatchObject({ data: { msgId: 'msg_2', endpointId: 'ep_1', attempts: 0 }, opts: { jobId: 'msg_2:ep_1:0' } });
    expect(added[1].opts.delay).toBeGreaterThan(QUEUE_HORIZON_MS - 2_000);
  });

  it('leaves a delivery due past the horizon to its row: no job in Redis', async () => {
    const { queue, added } = recordingQueue();
    await queue.enqueue([delivery(1, new Date(Date.now() + QUEUE_HORIZON_MS + 1_000)), delivery(2, new Date(Date.now() + 3_600_000))]);
    expect(added).toEqual([]);
  });
});

describe('DeliveryQueue.enqueueBacklog', () => {
  it("puts the sweeper's overdue deliveries in the backlog queue only, shared as new ones are", async () => {
    const { queue, added, backlog } = recordingQueue();
    await queue.enqueueBacklog(Array.from({ length: 60 }, (_, n) => delivery(n, new Date(Date.now() - 60_000))));
    expect(added).toEqual([]);
    expect(backlog.map((job) => deliveriesOf(job.data).length)).toEqual([50, 10]);
  });
});

describe('DeliveryQueue.enqueueNew', () => {
  it("hands a new message's deliveries due now to this process's worker, and queues the later ones", async () => {
    const { queue, added } = recordingQueue();
    const local: unknown[] = [];
    queue.setLocalWorker({ take: (jobs) => local.push(...jobs), reserve: () => undefined });
    await queue.enqueueNew([delivery(1), delivery(2, new Date(Date.now() + 1_000))]);
    expect(local).toEqual([{ msgId: 'msg_1', endpointId: 'ep_1', attempts: 0 }]);
    expect(added.map((job) => job.opts.jobId)).toEqual(['msg_2:ep_1:0']);
  });

  it('queues everything in Redis once no worker of its own takes them (not a worker, or shutting down)', async () => {
    const { queue, added } = recordingQueue();
    queue.setLocalWorker({ take: () => expect.unreachable(), reserve: () => expect.unreachable() });
    queue.setLocalWorker(undefined);
    await queue.enqueueNew([delivery(1)]);
    expect(added.map((job) => job.opts.jobId)).toEqual(['msg_1:ep_1:0']);
  });
});
