import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensurePortalBuilt, launchChromium, type TestBrowser } from '../support/browser.js';
import { deliveriesOf, useDispatcher } from '../support/dispatcher-app.js';

const EXAMPLE = { type: 'order.completed', id: 'ord_1042', total: 1250 };
/** PORTAL_SCREENSHOTS=docs writes the README's screenshot of the tab (docs/portal-transformation.png). */
const SCREENSHOTS = process.env.PORTAL_SCREENSHOTS;
const UI_TIMEOUT = 15_000;
const CODE = `function handler(webhook) {
  webhook.method = 'PUT';
  webhook.headers['x-order'] = webhook.payload.id;
  webhook.payload = { order: webhook.payload.id, euros: webhook.payload.total / 100 };
  return webhook;
}`;

describe("the portal's Transformation tab in Chromium", () => {
  const h = useDispatcher();
  let browser: TestBrowser;
  let page: Page;
  let appId: string;
  let endpointId: string;

  beforeAll(async () => {
    await ensurePortalBuilt();
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    const app = await h.svix.application.create({ name: 'Acme Logistics' });
    appId = app.id;
    await h.svix.eventType.create({ name: 'order.completed', description: 'An order was paid', schemas: { '1': { type: 'object', examples: [EXAMPLE] } } });
    endpointId = (await h.svix.endpoint.create(app.id, { url: h.receiver.url('/warehouse') })).id;
    h.receiver.status(200);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const editor = () => page.getByLabel('Code', { exact: true });

  it('starts from a template, refuses code without a handler saying why, and saves code and the switch', async () => {
    await page.goto((await h.svix.authentication.appPortalAccess(appId, {})).url);
    await page.goto(`${h.dispatcher.url}/portal/endpoints/${endpointId}/transformation`);
    await page.getByRole('heading', { name: 'Transformation', exact: true }).waitFor();
    expect(await editor().inputValue()).toMatch(/^function handler\(webhook\) \{/);

    await editor().fill('function transform(webhook) { return webhook; }');
    await page.getByRole('button', { name: 'Save transformation' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('code is refused: the code declares no function handler(webhook)');
    expect(await h.svix.endpoint.transformation.get(appId, endpointId)).toMatchObject({ code: null, enabled: false });

    await editor().fill(CODE);
    await page.getByRole('checkbox', { name: /Run it on every webhook/ }).check();
    await page.getByRole('button', { name: 'Save transformation' }).click();
    await page.getByText('Transformation saved.').waitFor();
    expect(await h.svix.endpoint.transformation.get(appId, endpointId)).toMatchObject({ code: CODE, enabled: true });
  });

  it('tries the code on an event type\'s example and shows what would be sent', async () => {
    await page.getByLabel('Start from the example of').selectOption('order.completed');
    expect(JSON.parse(await page.getByLabel('Payload (JSON)').inputValue())).toEqual(EXAMPLE);
    await page.getByRole('button', { name: 'Run transformation' }).click();
    const result = page.getByTestId('simulate-result');
    await result.waitFor();
    expect(await result.locator('.result-head').textContent()).toBe(`PUT ${h.receiver.url('/warehouse')}`);
    expect(await result.getByLabel('Headers added').textContent()).toBe('x-orderord_1042');
    expect(await result.getByLabel('Body that would be sent').textContent()).toBe('{\n  "order": "ord_1042",\n  "euros": 12.5\n}');
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'portal-transformation.png'), fullPage: true });
    expect(h.receiver.requests).toEqual([]);

    await editor().fill('function handler(webhook) { while (true) {} }');
    await page.getByRole('button', { name: 'Run transformation' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('code failed: it ran longer than 100 ms');
    await page.getByLabel('Payload (JSON)').fill('{ not json');
    await page.getByRole('button', { name: 'Run transformation' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/^The payload is not JSON: /);
  });

  it('delivers as saved, and lists an attempt its failing transformation stopped with the reason', async () => {
    const message = await h.svix.message.create(appId, { eventType: 'order.completed', payload: EXAMPLE });
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, message.id)).toHaveLength(1), { timeout: UI_TIMEOUT });
    expect(deliveriesOf(h.receiver, message.id)[0]).toMatchObject({ method: 'PUT', body: '{"order":"ord_1042","euros":12.5}' });

    await h.svix.endpoint.transformation.patch(appId, endpointId, { code: "function handler(webhook) { return require('fs'); }" });
    const failing = await h.svix.message.create(appId, { eventType: 'order.completed', payload: EXAMPLE });
    await vi.waitFor(async () => expect((await h.svix.messageAttempt.listByMsg(appId, failing.id)).data.length).toBeGreaterThan(0), { timeout: UI_TIMEOUT });
    await page.goto(`${h.dispatcher.url}/portal/endpoints/${endpointId}/attempts`);
    const row = page.getByTestId('attempt-row').first();
    await row.waitFor();
    expect(await row.textContent()).toContain("Not sent: the transformation failedhandler threw ReferenceError: 'require' is not defined");
  });

  it('is not offered to a link without the ManageTransformations capability', async () => {
    const limited = await browser.context.newPage();
    await limited.goto((await h.svix.authentication.appPortalAccess(appId, { capabilities: ['ViewBase', 'ManageEndpoint'] as never })).url);
    await limited.goto(`${h.dispatcher.url}/portal/endpoints/${endpointId}`);
    await limited.getByRole('link', { name: 'Testing' }).waitFor();
    expect(await limited.getByRole('navigation', { name: 'Endpoint sections' }).getByRole('link').allTextContents()).toEqual([
      'Overview',
      'Attempts',
      'Testing',
      'Headers & deletion',
    ]);
    await limited.close();
  });
});
