import type { ServerResponse } from 'node:http';
import { TransformationsService } from '@homing/webhooks';
import { DeliveryQueue } from '@homing/webhooks/internal';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useHarness, type Harness } from '../support/harness.js';
import type { ReceivedRequest } from '../support/receiver.js';
import { startWebhooksApp, type WebhooksTestApp } from '../support/webhooks-app.js';

const WAIT = { timeout: 30_000, interval: 50 };

/** The `n` of each request's payload, in the order they arrived. */
const numbers = (requests: ReceivedRequest[]) => requests.map((request) => (JSON.parse(request.body) as { n: number }).n);

/**
 * Answers the ordered endpoint's requests after `delayMs`, failing each `n` in `failOnce` the first
 * time, and records the most requests it ever had in flight at once.
 */
function orderedReceiver(h: Harness, path: string, options: { delayMs: number; failOnce?: Set<number>; failAlways?: Set<number> }) {
  const state = { inFlight: 0, maxInFlight: 0, failedOnce: new Set<number>() };
  h.receiver.answer((request, response: ServerResponse) => {
    if (request.path !== path) return void response.writeHead(200).end();
    const { n } = JSON.parse(request.body) as { n: number };
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    setTimeout(() => {
      state.inFlight -= 1;
      const fail = options.failAlways?.has(n) || (options.failOnce?.has(n) && !state.failedOnce.has(n));
      if (fail) state.failedOnce.add(n);
      response.writeHead(fail ? 500 : 200).end();
    }, options.delayMs);
  });
  return state;
}

/** The ns that succeeded at the ordered path, in order (a failed request is followed by its retry). */
function succeeded(h: Harness, path: string, failures: (n: number, index: number) => boolean): number[] {
  return numbers(h.receiver.on(path)).filter((n, i) => !failures(n, i));
}

describe('an ordered (fifo) endpoint, with two workers', () => {
  const h = useHarness({ retrySchedule: '300ms,300ms', sweepInterval: '1s' });
  let second: WebhooksTestApp;
  beforeAll(async () => {
    second = await startWebhooksApp(h.services, { retrySchedule: '300ms,300ms', sweepInterval: '1s' });
  });
  afterAll(() => second?.close());

  it('gets its messages one at a time, in the order they were accepted, a failure holding the line until its retry succeeds; an unordered one beside it is not held', async () => {
    const app = await h.homing.applications.create({ name: 'Ordered' });
    const ordered = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/ordered'), ordering: 'fifo' });
    await h.homing.endpoints.create(app.id, { url: h.receiver.url('/unordered') });
    expect(ordered.ordering).toBe('fifo');
    const state = orderedReceiver(h, '/ordered', { delayMs: 5, failOnce: new Set([3, 17, 18, 31]) });

    // Accepted one after another (each send returns before the next begins), through both replicas.
    const count = 40;
    for (let n = 0; n < count; n += 1) await (n % 2 ? second : h.homing).producer.send(app.id, { eventType: 'order.updated', payload: { n } });

    await vi.waitFor(() => expect(h.receiver.on('/ordered')).toHaveLength(count + 4), WAIT);
    const arrived = numbers(h.receiver.on('/ordered'));
    // Each failed one came again right after itself, before anything later.
    const expected = Array.from({ length: count }, (_, n) => ([3, 17, 18, 31].includes(n) ? [n, n] : [n])).flat();
    expect(arrived).toEqual(expected);
    expect(state.maxInFlight).toBe(1);
    expect(new Set(numbers(h.receiver.on('/unordered')))).toHaveLength(count);
    expect(succeeded(h, '/ordered', (n, i) => arrived[i + 1] === n)).toEqual(Array.from({ length: count }, (_, n) => n));
  });

  it('holds the line behind a delivery that failed for good, until it is sent again by hand; the rest then follow in order', async () => {
    const app = await h.homing.applications.create({ name: 'Held' });
    const ordered = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/held'), ordering: 'fifo' });
    const failAlways = new Set([2]);
    orderedReceiver(h, '/held', { delayMs: 1, failAlways });
    const ids: string[] = [];
    for (let n = 0; n < 6; n += 1) ids.push((await h.homing.producer.send(app.id, { eventType: 'order.updated', payload: { n } })).id);

    // 0 and 1 arrive, 2 fails three times (its first attempt and two retries) and the line stops there.
    await vi.waitFor(() => expect(numbers(h.receiver.on('/held'))).toEqual([0, 1, 2, 2, 2]), WAIT);
    await vi.waitFor(async () => expect((await h.homing.dataSource.query('SELECT status FROM homing_deliveries WHERE msgId = ?', [ids[2]]))[0].status).toBe('failed'), WAIT);
    // Two sweeps later, nothing has moved.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(numbers(h.receiver.on('/held'))).toEqual([0, 1, 2, 2, 2]);

    failAlways.clear();
    await h.homing.recovery.resend(app.id, ids[2], ordered.id);
    await vi.waitFor(() => expect(numbers(h.receiver.on('/held'))).toEqual([0, 1, 2, 2, 2, 2, 3, 4, 5]), WAIT);
  });

  it('moves its line past a delivery its transformation cancels', async () => {
    const app = await h.homing.applications.create({ name: 'Transformed line' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/transformed-line'), ordering: 'fifo' });
    await h.homing.app.get(TransformationsService).update(app.id, endpoint.id, {
      code: 'function handler(webhook) { webhook.cancel = webhook.payload.n === 1; return webhook; }',
      enabled: true,
    });
    orderedReceiver(h, '/transformed-line', { delayMs: 1 });
    for (let n = 0; n < 4; n += 1) await h.homing.producer.send(app.id, { eventType: 'order.updated', payload: { n } });
    await vi.waitFor(() => expect(numbers(h.receiver.on('/transformed-line'))).toEqual([0, 2, 3]), WAIT);
  });

  it('sends nothing out of line when a job names a delivery still waiting in it, and lets its line go when it stops being ordered', async () => {
    const app = await h.homing.applications.create({ name: 'Switched' });
    const ordered = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/switched'), ordering: 'fifo' });
    const held: ServerResponse[] = [];
    h.receiver.answer((request, response) => {
      if (request.path === '/switched') held.push(response);
      else response.writeHead(200).end();
    });
    const ids: string[] = [];
    for (let n = 0; n < 5; n += 1) ids.push((await h.homing.producer.send(app.id, { eventType: 'order.updated', payload: { n } })).id);
    await vi.waitFor(() => expect(held).toHaveLength(1), WAIT);
    // A resend of one still in line keeps it in its place; a job naming one in line (a stray or replayed job) finds nothing to claim.
    await h.homing.recovery.resend(app.id, ids[3], ordered.id);
    await h.homing.app.get(DeliveryQueue).enqueue([{ msgId: ids[4], endpointId: ordered.id, attempts: 0 }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(numbers(h.receiver.on('/switched'))).toEqual([0]);

    // Unordered from now on: the ones waiting are sent, no longer one at a time.
    await h.homing.endpoints.update(app.id, ordered.id, { ordering: null });
    held.splice(0).forEach((response) => response.writeHead(200).end());
    h.receiver.status(200);
    await vi.waitFor(() => expect(new Set(numbers(h.receiver.on('/switched')))).toEqual(new Set([0, 1, 2, 3, 4])), WAIT);
  });
});

describe('an ordered endpoint whose line is cancelled in part', () => {
  const h = useHarness({ retrySchedule: '1h' });

  it('passes over every cancelled place, however many, and sends the rest in order', async () => {
    const app = await h.homing.applications.create({ name: 'Cancelled line' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/cancelled-line'), ordering: 'fifo' });
    h.receiver.status(500);
    for (let n = 0; n < 61; n += 1) await h.homing.producer.send(app.id, { eventType: 'order.updated', payload: { n } });
    // The head failed and waits an hour for its retry; the 60 behind it wait in line.
    await vi.waitFor(async () => expect((await h.homing.dataSource.query("SELECT COUNT(*) AS n FROM homing_deliveries WHERE endpointId = ? AND attempts = 1 AND status = 'pending'", [endpoint.id]))[0].n).toBe('1'), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cutoff = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let n = 61; n < 70; n += 1) await h.homing.producer.send(app.id, { eventType: 'order.updated', payload: { n } });

    h.receiver.status(200);
    // More than the line reads at once (50) are passed over.
    expect(await h.homing.recovery.cancel(app.id, endpoint.id, cutoff)).toBe(61);
    await vi.waitFor(() => expect(numbers(h.receiver.on('/cancelled-line'))).toEqual([0, 61, 62, 63, 64, 65, 66, 67, 68, 69]), WAIT);
  });
});

describe("an ordered endpoint with orderedFailure: 'skip'", () => {
  const h = useHarness({ retrySchedule: '200ms', orderedFailure: 'skip' });

  it('moves its line past a delivery that failed for good; recovered, that one takes the last place', async () => {
    const app = await h.homing.applications.create({ name: 'Skipping' });
    const endpoint = await h.homing.endpoints.create(app.id, { url: h.receiver.url('/skipping'), ordering: 'fifo' });
    const failAlways = new Set([1]);
    orderedReceiver(h, '/skipping', { delayMs: 1, failAlways });
    const since = new Date(Date.now() - 1_000);
    for (let n = 0; n < 4; n += 1) await h.homing.producer.send(app.id, { eventType: 'order.updated', payload: { n } });
    await vi.waitFor(() => expect(numbers(h.receiver.on('/skipping'))).toEqual([0, 1, 1, 2, 3]), WAIT);

    failAlways.clear();
    expect(await h.homing.recovery.recover(app.id, endpoint.id, since)).toBe(1);
    for (let n = 4; n < 6; n += 1) await h.homing.producer.send(app.id, { eventType: 'order.updated', payload: { n } });
    await vi.waitFor(() => expect(numbers(h.receiver.on('/skipping'))).toEqual([0, 1, 1, 2, 3, 1, 4, 5]), WAIT);
  });
});
