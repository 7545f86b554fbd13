import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import { MessageStatus, Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensurePortalBuilt, launchChromium, type TestBrowser } from '../support/browser.js';
import { deliveriesOf, useDispatcher } from '../support/dispatcher-app.js';

const UI_TIMEOUT = 20_000;
const WAIT = { timeout: UI_TIMEOUT, interval: 100 };

/** A loopback port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the portal's Attempts tab: filters in the address, reasons in the rows, recovery in plain words", () => {
  // The first retry an hour later: failed deliveries stay pending, waiting on it, for the whole test.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '1h' });
  let browser: TestBrowser;
  let page: Page;
  let appId: string;
  let shopId: string;
  let downId: string;
  let failing: string[];
  let link: string;

  beforeAll(async () => {
    await ensurePortalBuilt();
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);

    appId = (await h.svix.application.create({ name: 'Acme Shop' })).id;
    await h.svix.eventType.create({ name: 'order.completed', description: 'An order was paid' });
    await h.svix.eventType.create({ name: 'invoice.paid', description: 'An invoice was paid' });
    shopId = (await h.svix.endpoint.create(appId, { url: h.receiver.url('/shop') })).id;
    downId = (await h.svix.endpoint.create(appId, { url: `http://127.0.0.1:${await closedPort()}/hooks`, eventTypes: ['order.completed'] })).id;

    h.receiver.status(200, 'ok');
    await h.svix.message.create(appId, { eventType: 'order.completed', eventId: 'evt-order-1', payload: { id: 1 } });
    await h.svix.message.create(appId, { eventType: 'invoice.paid', eventId: 'evt-invoice-2', payload: { id: 2 } });
    await vi.waitFor(() => expect(h.receiver.on('/shop')).toHaveLength(2), WAIT);
    h.receiver.status(500, '{"error":"warehouse down"}');
    failing = [
      (await h.svix.message.create(appId, { eventType: 'order.completed', eventId: 'evt-order-3', payload: { id: 3 } })).id,
      (await h.svix.message.create(appId, { eventType: 'invoice.paid', eventId: 'evt-invoice-4', payload: { id: 4 } })).id,
    ];
    // Each failure waits on its retry, an hour away.
    for (const msgId of failing) {
      await vi.waitFor(async () => {
        const [shop] = (await h.svix.messageAttempt.listAttemptedDestinations(appId, msgId)).data.filter((destination) => destination.id === shopId);
        expect(shop.status).toBe(MessageStatus.Pending);
        expect(shop.nextAttempt).not.toBeNull();
      }, WAIT);
    }
    await vi.waitFor(async () => expect((await h.svix.messageAttempt.listByEndpoint(appId, downId)).data).toHaveLength(2), WAIT);
    link = (await h.svix.authentication.appPortalAccess(appId, {})).url;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const rows = () => page.getByTestId('attempt-row');
  const query = () => Object.fromEntries(new URL(page.url()).searchParams);

  /** The rows' texts once there are `count` of them. */
  async function rowTexts(count: number): Promise<string[]> {
    await vi.waitFor(async () => {
      expect(await page.locator('.loading').count()).toBe(0);
      expect(await rows().count()).toBe(count);
    }, WAIT);
    return rows().allTextContents();
  }

  async function openAttempts(endpointId: string, search = ''): Promise<void> {
    await page.goto(`${h.dispatcher.url}/portal/endpoints/${endpointId}/attempts${search}`);
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
  }

  it("shows in each row why an attempt failed: the status line and the start of the body, or the connection's failure in words", async () => {
    await page.goto(link);
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await openAttempts(shopId);
    const texts = await rowTexts(4);
    expect(texts[0]).toMatch(/^Failed500 Internal Server Error\{"error":"warehouse down"\}invoice\.paid/);
    expect(texts[1]).toMatch(/^Failed500 Internal Server Error\{"error":"warehouse down"\}order\.completed/);
    expect(texts[3]).toMatch(/^Succeeded200 OKorder\.completed/);

    await openAttempts(downId);
    const refused = await rowTexts(2);
    for (const text of refused) expect(text).toMatch(/^FailedConnection refusedorder\.completed/);
    expect(refused.join()).not.toContain('none');
  });

  it('narrows the rows by status, event type, time and message, kept in the address through a reload', async () => {
    await openAttempts(shopId);
    await rowTexts(4);
    await page.getByLabel('Status').selectOption({ label: 'Failed' });
    expect(await rowTexts(2)).toEqual([expect.stringMatching(/invoice\.paid/), expect.stringMatching(/order\.completed/)]);
    await page.getByLabel('Event type').selectOption('invoice.paid');
    expect(await rowTexts(1)).toEqual([expect.stringMatching(/^Failed.*invoice\.paid/)]);
    await vi.waitFor(() => expect(query()).toEqual({ status: 'failed', event_type: 'invoice.paid' }));

    await page.reload();
    expect(await rowTexts(1)).toEqual([expect.stringMatching(/^Failed.*invoice\.paid/)]);
    expect(await page.getByLabel('Status').inputValue()).toBe('failed');
    expect(await page.getByLabel('Event type').inputValue()).toBe('invoice.paid');

    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await rowTexts(4);
    await vi.waitFor(() => expect(query()).toEqual({}));
    await page.getByLabel('Time').selectOption({ label: 'Last hour' });
    await rowTexts(4);
    await vi.waitFor(() => expect(query()).toEqual({ window: '1h' }));

    // A shared link to a time range with nothing in it.
    await openAttempts(shopId, '?window=custom&since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z');
    await page.getByText('No attempts match these filters').waitFor();
    expect(await page.getByLabel('Time').inputValue()).toBe('custom');
    expect(await page.getByLabel('From', { exact: true }).inputValue()).not.toBe('');
  });

  it('finds the attempts of one message by its eventId or id, and says when there is no such message', async () => {
    await openAttempts(shopId);
    await rowTexts(4);
    const search = page.getByLabel('Message ID or event ID');
    await search.fill('evt-order-3');
    await page.getByRole('button', { name: 'Find' }).click();
    expect(await rowTexts(1)).toEqual([expect.stringMatching(/^Failed500 Internal Server Error.*order\.completed/)]);
    await vi.waitFor(() => expect(query()).toEqual({ msg: 'evt-order-3' }));
    await page.reload();
    await rowTexts(1);
    expect(await rows().getByRole('link', { name: 'View' }).getAttribute('href')).toBe(`/portal/messages/${failing[0]}`);

    await search.fill(failing[1]);
    await page.getByRole('button', { name: 'Find' }).click();
    // One row was showing already (the search before): wait for this search's row, not any one row.
    await vi.waitFor(async () => expect(await rowTexts(1)).toEqual([expect.stringMatching(/invoice\.paid/)]), WAIT);

    await search.fill('evt-nowhere');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText('No message has the ID or event ID “evt-nowhere”').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await rowTexts(4);
  });

  it('says what recovery would send and what waits on a retry, and Retry now sends those at once', async () => {
    await openAttempts(shopId);
    const preview = page.getByTestId('recover-preview');
    const waiting = page.getByTestId('retry-waiting');
    await preview.getByText(/^No message has failed since .*: nothing to send again\.$/).waitFor();
    await waiting.getByText(/^2 messages are waiting on a retry\. Retry now sends them at once/).waitFor();

    await page.getByRole('button', { name: 'Recover failed messages' }).click();
    await page.getByText(/^Recovery done: no message had failed since .*\. 2 messages waiting on a retry have not failed yet: Retry now sends them at once\.$/).waitFor();

    h.receiver.status(200, 'ok');
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.getByText('2 messages sent again now.').waitFor();
    const secret = (await h.svix.endpoint.getSecret(appId, shopId)).key;
    for (const msgId of failing) {
      await vi.waitFor(() => expect(deliveriesOf(h.receiver, msgId)).toHaveLength(2), WAIT);
      const retried = deliveriesOf(h.receiver, msgId)[1];
      expect(() => new Webhook(secret).verify(retried.body, retried.headers as Record<string, string>)).not.toThrow();
    }
    // The list shows the successes once they are recorded.
    await vi.waitFor(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByRole('button', { name: 'Refresh' }).and(page.locator(':enabled')).waitFor();
      expect((await rows().allTextContents()).slice(0, 2)).toEqual([expect.stringMatching(/^Succeeded200 OK/), expect.stringMatching(/^Succeeded200 OK/)]);
    }, WAIT);
    await waiting.getByText('No message is waiting on a retry.').waitFor();
    expect(await page.getByRole('button', { name: 'Retry now' }).isDisabled()).toBe(true);
  });

  it('fits a 360 px screen: the filters wrap and each attempt is a stacked row', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await openAttempts(downId, '?status=failed');
    await rowTexts(2);
    expect(await page.evaluate('document.scrollingElement.scrollWidth <= innerWidth')).toBe(true);
    for (const control of [page.getByRole('button', { name: 'Refresh' }), page.getByRole('button', { name: 'Find' }), page.getByRole('button', { name: 'Retry now' }), rows().first()]) {
      const box = (await control.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(360);
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
