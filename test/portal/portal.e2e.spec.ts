import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { messageInRaw, Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensurePortalBuilt, launchChromium, type TestBrowser } from '../support/browser.js';
import { deliveriesOf, OPERATOR_TOKEN, useDispatcher } from '../support/dispatcher-app.js';

const ORDER_EXAMPLE = { type: 'order.completed', id: 'ord_1042', total: 1250, currency: 'EUR' };
/** PORTAL_SCREENSHOTS=docs writes the README's screenshots (docs/portal-*.png). */
const SCREENSHOTS = process.env.PORTAL_SCREENSHOTS;
const UI_TIMEOUT = 15_000;

describe('consumer portal in Chromium', () => {
  // One quick retry, so a failing delivery ends `failed` within the test.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '50ms' });
  let browser: TestBrowser;
  let page: Page;
  let appId: string;
  let link: string;
  let endpointUrl: string;
  let endpointPath: string;
  let failedMsgId: string;

  beforeAll(async () => {
    await ensurePortalBuilt();
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);

    const app = await h.svix.application.create({ name: 'Acme Logistics', uid: 'acme' });
    appId = app.id;
    await h.svix.eventType.create({
      name: 'order.completed',
      description: 'An order was paid and is ready to ship',
      groupName: 'orders',
      schemas: { '1': { type: 'object', required: ['id'], properties: { id: { type: 'string' }, total: { type: 'integer' } }, examples: [ORDER_EXAMPLE] } },
    });
    await h.svix.eventType.create({ name: 'order.refunded', description: 'An order was refunded', groupName: 'orders' });
    await h.svix.eventType.create({
      name: 'invoice.paid',
      description: 'An invoice was paid',
      groupName: 'billing',
      schemas: { '1': { type: 'object', examples: [{ type: 'invoice.paid', id: 'inv_7' }] } },
    });
    link = (await h.svix.authentication.appPortalAccess(app.id, {})).url;
    endpointUrl = h.receiver.url('/warehouse');
    h.receiver.status(200, '{"received":true}');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function shot(name: string): Promise<void> {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `portal-${name}.png`), fullPage: true });
  }

  /** Rows of the attempts table once the shown ones satisfy `done`, refreshing meanwhile. */
  async function attemptRows(done: (statuses: string[]) => boolean): Promise<string[]> {
    let statuses: string[] = [];
    await vi.waitFor(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.getByRole('button', { name: 'Refresh' }).and(page.locator(':enabled')).waitFor();
        statuses = await page.getByTestId('attempt-row').locator('td:first-child').allTextContents();
        expect(done(statuses)).toBe(true);
      },
      { timeout: UI_TIMEOUT, interval: 300 },
    );
    return statuses;
  }

  it('is served at /portal: pages fall back to the app, missing assets are 404, and frames and foreign scripts are refused', async () => {
    const pageResponse = await fetch(`${h.dispatcher.url}/portal/endpoints/ep_anything/attempts`);
    expect(pageResponse.status).toBe(200);
    expect(await pageResponse.text()).toContain('<div id="root">');
    expect(pageResponse.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(pageResponse.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${h.dispatcher.url}/portal`)).status).toBe(200);
    expect((await fetch(`${h.dispatcher.url}/portal/`)).status).toBe(200);
    expect((await fetch(`${h.dispatcher.url}/portal/assets/missing-0000.js`)).status).toBe(404);
  });

  it('opens signed in for the one application from its link, and takes the token out of the address bar', async () => {
    expect(link).toMatch(new RegExp(`^${h.dispatcher.url}/portal#key=hpt_`));
    await page.goto(link);
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    expect(page.url()).toBe(`${h.dispatcher.url}/portal`);
    await page.getByText('No endpoints yet').waitFor();
    expect(await page.locator('header').textContent()).toContain('Acme Logistics');
    expect(await page.locator('footer').textContent()).toMatch(/Signed in for Acme Logistics until/);
  });

  it('adds an endpoint at a loopback receiver with event types chosen from the catalogue and a rate limit', async () => {
    await page.getByRole('link', { name: 'Add endpoint' }).first().click();
    await page.getByRole('heading', { name: 'Add an endpoint' }).waitFor();
    await page.getByLabel('Endpoint URL').fill(endpointUrl);
    await page.getByLabel('Description').fill('Orders to the warehouse');
    await page.getByRole('checkbox', { name: /order\.completed/ }).check();
    await page.getByLabel('Rate limit (deliveries per second)').fill('10');
    await page.getByRole('checkbox', { name: /Deliver in order/ }).check();
    await shot('add-endpoint');
    await page.getByRole('button', { name: 'Create endpoint' }).click();

    await page.getByRole('heading', { name: endpointUrl }).waitFor();
    endpointPath = new URL(page.url()).pathname;
    const [created] = (await h.svix.endpoint.list(appId)).data;
    expect(created).toMatchObject({ url: endpointUrl, description: 'Orders to the warehouse', eventTypes: ['order.completed'], throttleRate: 10, disabled: false });
    // Ordering is Homing's own field, which the svix package does not read.
    const own = await fetch(`${h.dispatcher.url}/api/v1/app/${appId}/endpoint/${created.id}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(await own.json()).toMatchObject({ ordering: 'fifo' });
    expect(endpointPath).toBe(`/portal/endpoints/${created.id}`);
  });

  it('shows a clear error for a URL the dispatcher refuses', async () => {
    await page.goto(`${h.dispatcher.url}/portal/endpoints/new`);
    await page.getByLabel('Endpoint URL').fill('http://169.254.169.254/latest');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe("This URL points to a private network address; the webhook can't reach it. Use a public URL.");
    expect((await h.svix.endpoint.list(appId)).data).toHaveLength(1);
  });

  it('sends the example of an event type from the Testing tab and shows the successful attempt, signed with the secret it reveals', async () => {
    await page.goto(h.dispatcher.url + endpointPath);
    await page.getByRole('link', { name: 'Testing' }).click();
    await page.getByLabel('Event type').selectOption('order.completed');
    expect(await page.getByLabel('Example payload of order.completed').textContent()).toContain('"id": "ord_1042"');
    await page.getByRole('button', { name: 'Send example' }).click();
    const result = page.getByTestId('test-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Succeeded.*HTTP 200/);
    expect(await result.textContent()).toContain('"received": true');
    await shot('testing');

    const [received] = h.receiver.on('/warehouse');
    expect(JSON.parse(received.body)).toEqual(ORDER_EXAMPLE);

    await page.getByRole('link', { name: 'Overview' }).click();
    expect(await page.getByLabel('Secret value, hidden').textContent()).not.toMatch(/[A-Za-z0-9+/]{20}/);
    await shot('endpoint');
    await page.getByRole('button', { name: 'Reveal' }).click();
    const secret = (await page.getByLabel('Secret value', { exact: true }).textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    expect(() => new Webhook(secret).verify(received.body, received.headers as Record<string, string>)).not.toThrow();
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
  });

  it('shows the failures when the receiver fails, and filters the attempts by status', async () => {
    h.receiver.status(500, '{"error":"warehouse down"}');
    await page.getByRole('link', { name: 'Testing' }).click();
    await page.getByRole('button', { name: 'Send example' }).click();
    const result = page.getByTestId('test-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Failed.*HTTP 500/);
    failedMsgId = (await result.getByRole('link', { name: 'View the message' }).getAttribute('href'))!.split('/').at(-1)!;
    // The one retry fails too, and the delivery ends failed.
    await vi.waitFor(async () => expect((await h.svix.messageAttempt.listAttemptedDestinations(appId, failedMsgId)).data[0].status).toBe(2), {
      timeout: UI_TIMEOUT,
    });

    await page.getByRole('link', { name: 'Attempts' }).click();
    expect(await attemptRows((statuses) => statuses.length === 3)).toEqual(['Failed', 'Failed', 'Succeeded']);
    expect(await page.getByTestId('attempt-row').first().textContent()).toMatch(/Failed500 Internal Server Error\{"error":"warehouse down"\}order\.completed/);
    await page.getByLabel('Status').selectOption({ label: 'Failed' });
    expect(await attemptRows((statuses) => statuses.length === 2)).toEqual(['Failed', 'Failed']);
    await shot('attempts');
    await page.getByLabel('Status').selectOption({ label: 'Succeeded' });
    expect(await attemptRows((statuses) => statuses.length === 1)).toEqual(['Succeeded']);
  });

  it('recovers the failed messages since a chosen time once the receiver is back', async () => {
    h.receiver.status(200, '{"received":true}');
    await page.getByLabel('Since').fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Recover failed messages' }).click();
    await page.getByText('Recovery done: 1 message sent again.').waitFor();
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, failedMsgId).length).toBe(3), { timeout: UI_TIMEOUT });
    expect(await attemptRows((statuses) => statuses.length === 2)).toEqual(['Succeeded', 'Succeeded']);
  });

  it("shows a message's pretty-printed payload and every attempt with its response body, and resends it", async () => {
    await page.getByLabel('Status').selectOption({ label: 'All attempts' });
    await attemptRows((statuses) => statuses.length === 4);
    await page.getByTestId('attempt-row').first().getByRole('link', { name: 'View' }).click();
    await page.getByRole('heading', { name: 'Message order.completed' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/portal/messages/${failedMsgId}`);
    expect(await page.getByLabel('Message payload').textContent()).toBe(JSON.stringify(ORDER_EXAMPLE, null, 2));
    const attempts = page.getByTestId('message-attempt');
    await vi.waitFor(async () => expect(await attempts.count()).toBe(3));
    expect(await attempts.allTextContents()).toEqual([
      expect.stringMatching(/^SucceededHTTP 200.*manual/),
      expect.stringMatching(/^FailedHTTP 500.*scheduled/),
      expect.stringMatching(/^FailedHTTP 500.*scheduled/),
    ]);
    await attempts.last().getByText('Response body', { exact: true }).click();
    expect(await attempts.last().getByLabel('Response body').textContent()).toBe('{\n  "error": "warehouse down"\n}');
    await shot('message');

    await page.getByTestId('delivery').getByRole('button', { name: 'Resend' }).click();
    await page.getByText('Sent again.').waitFor();
    await vi.waitFor(async () => expect(await attempts.count()).toBe(4));
    expect(deliveriesOf(h.receiver, failedMsgId)).toHaveLength(4);
  });

  it('disables the endpoint, showing why, and enables it again', async () => {
    await page.goto(h.dispatcher.url + endpointPath);
    await page.getByRole('button', { name: 'Disable endpoint' }).click();
    await page.getByText('Disabled: disabled by the user.').waitFor();
    expect((await h.svix.endpoint.get(appId, endpointPath.split('/').at(-1)!)).disabled).toBe(true);
    await page.getByRole('button', { name: 'Enable endpoint' }).click();
    await page.getByText('Enabled: webhooks are sent to it.').waitFor();
    expect((await h.svix.endpoint.get(appId, endpointPath.split('/').at(-1)!)).disabled).toBe(false);
  });

  it('lists the endpoint with its status and success rate, and the catalogue with schemas and examples', async () => {
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Endpoints' }).click();
    const card = page.getByRole('listitem').filter({ hasText: endpointUrl });
    // The last 24 hours' attempts: the two examples' first tries, the retry, the recovery and the resend (3 of 5 succeeded).
    await card.getByTestId('success-rate').filter({ hasText: '60 %' }).waitFor();
    expect(await card.textContent()).toContain('Enabled');
    await shot('endpoints');

    await page.getByRole('link', { name: 'Event types' }).click();
    const order = page.getByRole('listitem').filter({ hasText: 'order.completed' });
    await order.getByText('Example', { exact: true }).click();
    expect(await order.getByLabel('Example of order.completed').textContent()).toContain('"currency": "EUR"');
    await order.getByText('Schema', { exact: true }).click();
    expect(await order.getByLabel('Schema of order.completed').textContent()).toContain('"required"');
    expect(await page.getByRole('listitem').filter({ hasText: 'order.refunded' }).textContent()).toContain('An order was refunded');
    await shot('event-types');
  });

  it('works at phone width without sideways scrolling, and by keyboard', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(h.dispatcher.url + endpointPath);
    await page.getByRole('heading', { name: endpointUrl }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
    await shot('phone');
    await page.setViewportSize({ width: 1280, height: 860 });

    // A new page puts the focus on its heading; from there Tab and Enter open the Testing tab and send an example.
    expect(await page.locator('h1:focus').textContent()).toBe(endpointUrl);
    const focused = page.locator(':focus');
    const tabTo = async (name: string) => {
      for (let presses = 0; presses < 20 && (await focused.textContent()) !== name; presses++) await page.keyboard.press('Tab');
      expect(await focused.textContent()).toBe(name);
    };
    await tabTo('Testing');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Send an example' }).waitFor();
    await tabTo('Send example');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('test-result').textContent()).toMatch(/Succeeded.*HTTP 200/);
  });

  it('shows the holder of a read-only link the data but none of the controls it may not use', async () => {
    const readOnly = await browser.context.newPage();
    await readOnly.goto((await h.svix.authentication.appPortalAccess(appId, { readOnly: true })).url);
    await readOnly.getByRole('link', { name: endpointUrl }).click();
    await readOnly.getByText('Enabled: webhooks are sent to it.').waitFor();
    for (const control of ['Disable endpoint', 'Reveal', 'Rotate secret', 'Save changes']) expect(await readOnly.getByRole('button', { name: control }).count()).toBe(0);
    expect(await readOnly.getByRole('heading', { name: 'Signing secret' }).count()).toBe(0);
    await readOnly.getByRole('link', { name: 'Testing' }).click();
    await readOnly.getByLabel('Example payload of order.completed').waitFor();
    expect(await readOnly.getByRole('button', { name: 'Send example' }).count()).toBe(0);
    await readOnly.close();
  });

  it('shows a payload that is not JSON (XML) as its text', async () => {
    const xml = '<order id="ord_1043">\n  <total>1250</total>\n</order>';
    const created = await h.svix.message.create(appId, messageInRaw('order.completed', xml, 'application/xml'));
    await page.goto(`${h.dispatcher.url}/portal/messages/${created.id}`);
    await page.getByRole('heading', { name: 'Message order.completed' }).waitFor();
    await vi.waitFor(async () => expect(await page.getByLabel('Message payload').textContent()).toBe(xml), { timeout: UI_TIMEOUT });
  });

  it('signs out: the link no longer opens the portal, and a page opened without a link says how to get in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await page.goto(link);
    await page.getByRole('heading', { name: 'This portal link has expired' }).waitFor();

    const fresh = await browser.context.newPage();
    await fresh.goto(`${h.dispatcher.url}/portal`);
    await fresh.getByRole('heading', { name: 'Open the portal from your link' }).waitFor();
    await fresh.close();
  });
});
