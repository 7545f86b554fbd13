import { describe, expect, it, vi } from 'vitest';
import { attemptsOf, deliveryOf } from '../support/records.js';
import { TestReceiver } from '../support/receiver.js';
import { useHarness } from '../support/harness.js';

/** With no retries, one attempt per message shows exactly how each answer is judged. */
describe('what counts as delivered', () => {
  const h = useHarness({ retrySchedule: '', requestTimeout: '400ms' });

  async function deliverOnce(url: string) {
    const appId = (await h.homing.applications.create({ name: url })).id;
    const endpoint = await h.homing.endpoints.create(appId, { url });
    const message = await h.homing.producer.send(appId, { eventType: 'probe.sent', payload: { url } });
    await vi.waitFor(
      async () => expect((await deliveryOf(h.homing.dataSource, message.id, endpoint.id))?.status).toMatch(/success|failed/),
      { timeout: 10_000, interval: 25 },
    );
    const delivery = await deliveryOf(h.homing.dataSource, message.id, endpoint.id);
    const attempts = await attemptsOf(h.homing.dataSource, message.id);
    expect(attempts).toHaveLength(1);
    return { status: delivery!.status, attempt: attempts[0] };
  }

  it.each([200, 201, 204, 299])('%i is success', async (code) => {
    h.receiver.answer((request, response) => {
      if (request.path === `/ok-${code}`) response.writeHead(code).end(code === 204 ? undefined : 'thanks');
    });
    const { status, attempt } = await deliverOnce(h.receiver.url(`/ok-${code}`));
    expect(status).toBe('success');
    expect(attempt).toMatchObject({ status: 'success', responseStatusCode: code, trigger: 'scheduled' });
    expect(attempt.responseDurationMs).toBeGreaterThanOrEqual(0);
  });

  it.each([400, 401, 404, 410, 429, 500, 503])('%i is a failure, recorded with its body', async (code) => {
    h.receiver.answer((_request, response) => void response.writeHead(code).end(`nope ${code}`));
    const { status, attempt } = await deliverOnce(h.receiver.url(`/fail-${code}`));
    expect(status).toBe('failed');
    expect(attempt).toMatchObject({ status: 'failed', responseStatusCode: code, response: `nope ${code}` });
  });

  it('does not follow a redirect: a 3xx is a failure and the target is never called', async () => {
    h.receiver.answer((request, response) => {
      if (request.path === '/moved') response.writeHead(301, { location: h.receiver.url('/target') }).end();
      else response.writeHead(200).end();
    });
    const { status, attempt } = await deliverOnce(h.receiver.url('/moved'));
    expect(status).toBe('failed');
    expect(attempt.responseStatusCode).toBe(301);
    expect(h.receiver.on('/target')).toHaveLength(0);
  });

  it('fails an attempt that takes longer than the request timeout', async () => {
    h.receiver.answer((_request, response) => void setTimeout(() => response.writeHead(200).end(), 2_000));
    const { status, attempt } = await deliverOnce(h.receiver.url('/slow'));
    expect(status).toBe('failed');
    expect(attempt.responseStatusCode).toBe(0);
    expect(attempt.response).toMatch(/timeout after 400 ms/);
    expect(attempt.responseDurationMs).toBeGreaterThanOrEqual(390);
    expect(attempt.responseDurationMs).toBeLessThan(1_900);
  });

  it('fails an attempt whose connection is refused', async () => {
    const closed = await TestReceiver.start();
    const url = closed.url('/gone');
    await closed.close();
    const { status, attempt } = await deliverOnce(url);
    expect(status).toBe('failed');
    expect(attempt.responseStatusCode).toBe(0);
    expect(attempt.response).toMatch(/ECONNREFUSED/);
  });

  it('keeps only the first 20 kB of a large response body', async () => {
    h.receiver.answer((_request, response) => void response.writeHead(200).end('x'.repeat(100_000)));
    const { status, attempt } = await deliverOnce(h.receiver.url('/large'));
    expect(status).toBe('success');
    expect(attempt.response).toHaveLength(20 * 1024);
  });
});
