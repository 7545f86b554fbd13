import { describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness.js';
import { attemptsOf, deliveryOf } from '../support/records.js';

/** Holds the event loop the way a GC pause or a starved CPU does: nothing else runs meanwhile. */
function stallFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * An answer is judged by its status line, not by when the worker got round to reading it: a receiver that
 * answered 200 in time is delivered once, whatever the worker's event loop or the body's pace did afterwards.
 * A retry is scheduled, so an attempt wrongly judged a timeout shows as a second attempt and a second request.
 */
describe('a 200 in time is one successful attempt', () => {
  const h = useHarness({ requestTimeout: '1s', retrySchedule: '1s' });

  async function deliverOnce(path: string) {
    const appId = (await h.homing.applications.create({ name: path })).id;
    const endpoint = await h.homing.endpoints.create(appId, { url: h.receiver.url(path) });
    const message = await h.homing.producer.send(appId, { eventType: 'probe.sent', payload: { path } });
    await h.settled(message.id, endpoint.id, 'success');
    const attempts = await attemptsOf(h.homing.dataSource, message.id);
    return { delivery: await deliveryOf(h.homing.dataSource, message.id, endpoint.id), attempts };
  }

  it('when the worker stalls past the timeout right after the receiver answered', async () => {
    h.receiver.answer((request, response) => {
      // Same process: the stall starts once the answer is on the socket, before the worker has read it.
      if (request.path === '/stall') response.end('ok', () => stallFor(1_500));
    });
    const { delivery, attempts } = await deliverOnce('/stall');
    expect(delivery).toMatchObject({ status: 'success', attempts: 1 });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 'success', responseStatusCode: 200, response: 'ok' });
    expect(attempts[0].responseDurationMs).toBeGreaterThanOrEqual(1_000);
    expect(h.receiver.on('/stall')).toHaveLength(1);
  });

  it('when the body trickles in past the timeout, keeping the bytes that came', async () => {
    h.receiver.answer((request, response) => {
      if (request.path !== '/trickle') return;
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('accepted');
      const drip = setInterval(() => response.write('.'), 100);
      response.on('close', () => clearInterval(drip));
    });
    const { delivery, attempts } = await deliverOnce('/trickle');
    expect(delivery).toMatchObject({ status: 'success', attempts: 1 });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 'success', responseStatusCode: 200, response: expect.stringMatching(/^accepted\.+$/) });
    expect(h.receiver.on('/trickle')).toHaveLength(1);
  });
});
