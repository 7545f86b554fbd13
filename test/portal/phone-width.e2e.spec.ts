import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensurePortalBuilt, launchChromium, type TestBrowser } from '../support/browser.js';
import { useDispatcher } from '../support/dispatcher-app.js';

const UI_TIMEOUT = 20_000;
/** Phones: a small Android's width and an iPhone's. */
const WIDTHS = [360, 390];
/** Names with no place to break a line, as real catalogues have them. */
const LONG_TYPE = 'fulfilment.warehouse-inventory.replenishment_order.partially-fulfilled-with-backorder.v2';
const LONG_GROUP = 'warehouse-and-inventory-management-notifications';
const MESSAGES = 24;
/** Every third message is answered 200, the others fail (and are retried once). */
const succeeds = (sequence: number) => sequence % 3 === 0;
const ERROR_BODY = JSON.stringify({ error: 'upstream_unavailable', trace: `req_${'9f8e7d6c5b4a'.repeat(30)}`, hint: 'the warehouse gateway is being redeployed' });

/**
 * In the page (as text: the tests have no DOM types): the elements that reach, or whose content reaches, past
 * the screen's edges, other than inside a box that scrolls sideways itself, measured from the page's left edge
 * wherever a focused control scrolled it. Wholly left of the screen is hidden on purpose (the skip link until focused).
 */
const STICKING_OUT = `(() => {
  scrollTo(0, scrollY);
  const screen = document.documentElement.clientWidth;
  const scrollsItself = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return true;
    }
    return false;
  };
  const name = (element) => element.tagName.toLowerCase() + (element.className ? '.' + String(element.className).trim().split(/\\s+/).join('.') : '');
  return [...document.querySelectorAll('#root *')].flatMap((element) => {
    const box = element.getBoundingClientRect();
    // What overflows a box that lets it (a line that does not break) reaches past the box's own edge.
    const spill = getComputedStyle(element).overflowX === 'visible' && element.clientWidth > 0 ? Math.max(0, element.scrollWidth - element.clientWidth) : 0;
    const right = box.right + spill;
    const hidden = box.width === 0 || box.height === 0 || right <= 0;
    if (hidden || (box.left >= -0.5 && right <= screen + 0.5) || scrollsItself(element)) return [];
    return [name(element) + ' from ' + Math.round(box.left) + ' to ' + Math.round(right) + ': ' + element.textContent.trim().slice(0, 60)];
  });
})()`;

function payload(sequence: number) {
  return {
    sequence,
    order: { id: `ord_${'20261130'.repeat(6)}_${sequence}`, lines: [{ sku: `SKU-${'X'.repeat(120)}`, quantity: 12, backordered: 4 }] },
    callbackUrl: `https://erp.customer.example/api/v3/fulfilment/replenishment/${'a1b2c3d4e5f6'.repeat(12)}/acknowledge?source=webhook`,
  };
}

/**
 * Every portal page at phone widths, with data as long as real data gets (URLs, event type names, payloads,
 * header values, many attempts): the page itself never scrolls sideways, and nothing sticks out of the screen
 * except inside a box that scrolls on its own (a table or a code block).
 */
describe('consumer portal at phone width', () => {
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '50ms' });
  let browser: TestBrowser;
  let page: Page;
  let appId: string;
  let link: string;
  let endpointId: string;
  let failedMsgId: string;

  beforeAll(async () => {
    await ensurePortalBuilt();
    browser = await launchChromium({ width: WIDTHS[0], height: 740 });
    page = await browser.context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);

    appId = (await h.svix.application.create({ name: 'Nordwind Logistik und Lagerhaltung International GmbH & Co. KG' })).id;
    // A failing one, so the Testing tab shows a long error answer.
    const example = payload(1);
    await h.svix.eventType.create({
      name: LONG_TYPE,
      description: `A replenishment order was only partly fulfilled; the rest is on backorder until ${'the-supplier-confirms-the-shipment-date'} and arrives later.`,
      groupName: LONG_GROUP,
      schemas: { '1': { type: 'object', required: ['sequence', 'order'], properties: { sequence: { type: 'integer' }, callbackUrl: { type: 'string', format: 'uri' } }, examples: [example] } },
    });
    for (const name of ['order.created', 'order.cancelled', 'invoice.paid', 'shipment.dispatched-to-carrier-with-tracking-number']) {
      await h.svix.eventType.create({ name, description: `When ${name.replace(/[.-]/g, ' ')} happens`, groupName: LONG_GROUP });
    }
    link = (await h.svix.authentication.appPortalAccess(appId, {})).url;

    h.receiver.answer((request, response) => {
      const { sequence } = JSON.parse(request.body) as { sequence: number };
      if (succeeds(sequence)) response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      else response.writeHead(503, { 'content-type': 'application/json' }).end(ERROR_BODY);
    });
    const endpoint = await h.svix.endpoint.create(appId, {
      url: h.receiver.url(`/webhooks/${'tenant-7f3a9c2e'.repeat(8)}?signature_version=2&callback_token=${'x'.repeat(80)}`),
      description: `Replenishment orders for the ${'Nordwind-central-warehouse-Hamburg-Billbrook'} site, forwarded to the ERP's inbound queue`,
      eventTypes: [LONG_TYPE, 'shipment.dispatched-to-carrier-with-tracking-number'],
    });
    endpointId = endpoint.id;
    await h.svix.endpoint.patchHeaders(appId, endpointId, {
      headers: { 'x-gateway-authentication-context-identifier': `tenant=${'a1b2c3d4'.repeat(24)}`, Authorization: `Bearer ${'t0k3n'.repeat(30)}` },
    });
    for (let sequence = 1; sequence <= MESSAGES; sequence++) {
      const message = await h.svix.message.create(appId, { eventType: LONG_TYPE, eventId: `evt_${'2026-11-30-replenishment-'.repeat(4)}${sequence}`, payload: payload(sequence) });
      if (!succeeds(sequence)) failedMsgId = message.id;
    }
    const failures = Array.from({ length: MESSAGES }, (_, index) => index + 1).filter((sequence) => !succeeds(sequence)).length;
    const expected = MESSAGES + failures;
    await vi.waitFor(() => expect(h.receiver.requests.length).toBe(expected), { timeout: 60_000, interval: 100 });
    await page.goto(link);
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function fitsTheScreen(target: Page, width: number): Promise<void> {
    // Folded sections too: their code blocks are part of the page.
    await target.evaluate('document.querySelectorAll("details").forEach((details) => (details.open = true))');
    await vi.waitFor(async () => expect(await target.locator('.loading').count()).toBe(0), { timeout: UI_TIMEOUT });
    expect(await target.evaluate(STICKING_OUT)).toEqual([]);
    expect(await target.evaluate('[innerWidth, document.scrollingElement.scrollWidth <= innerWidth]')).toEqual([width, true]);
  }

  /** Opens a page of the portal and waits for its heading. */
  async function open(path: string, heading: string | RegExp): Promise<void> {
    await page.goto(`${h.dispatcher.url}/portal${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  describe.each(WIDTHS)('%i px wide', (width) => {
    beforeAll(async () => {
      await page.setViewportSize({ width, height: 740 });
    });

    it('the endpoints list', async () => {
      await open('', 'Endpoints');
      await page.getByRole('link', { name: /tenant-7f3a9c2e/ }).waitFor();
      await fitsTheScreen(page, width);
    });

    it('a new endpoint, with the refusal of a private address in words for the customer', async () => {
      await open('/endpoints/new', 'Add an endpoint');
      await page.getByRole('checkbox', { name: new RegExp(LONG_TYPE.replace(/\./g, '\\.')) }).waitFor();
      await page.getByLabel('Endpoint URL').fill(`http://10.0.0.5/${'internal-only'.repeat(10)}`);
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      expect(await page.getByRole('alert').textContent()).toBe("This URL points to a private network address; the webhook can't reach it. Use a public URL.");
      await fitsTheScreen(page, width);
    });

    it("an endpoint's overview", async () => {
      await open(`/endpoints/${endpointId}`, /tenant-7f3a9c2e/);
      await page.getByRole('button', { name: 'Reveal' }).click();
      await page.getByLabel('Secret value', { exact: true }).waitFor();
      await fitsTheScreen(page, width);
    });

    it("an endpoint's attempts, many of them", async () => {
      await open(`/endpoints/${endpointId}/attempts`, /tenant-7f3a9c2e/);
      await vi.waitFor(async () => expect(await page.getByTestId('attempt-row').count()).toBeGreaterThanOrEqual(20), { timeout: UI_TIMEOUT });
      await fitsTheScreen(page, width);
    });

    it("an endpoint's testing tab, with a failed example's long answer", async () => {
      await open(`/endpoints/${endpointId}/testing`, /tenant-7f3a9c2e/);
      await page.getByLabel('Event type').selectOption(LONG_TYPE);
      await page.getByRole('button', { name: 'Send example' }).click();
      await page.getByTestId('test-result').waitFor();
      await fitsTheScreen(page, width);
    });

    it("an endpoint's transformation tab, tried on the long example", async () => {
      await open(`/endpoints/${endpointId}/transformation`, /tenant-7f3a9c2e/);
      await page.getByLabel('Code', { exact: true }).fill("function handler(webhook) { webhook.headers['x-callback-url'] = webhook.payload.callbackUrl; return webhook; }");
      await page.getByLabel('Start from the example of').selectOption(LONG_TYPE);
      await page.getByRole('button', { name: 'Run transformation' }).click();
      await page.getByTestId('simulate-result').waitFor();
      await fitsTheScreen(page, width);
    });

    it("an endpoint's headers, with a refused header named once", async () => {
      await open(`/endpoints/${endpointId}/settings`, /tenant-7f3a9c2e/);
      await page.getByRole('cell', { name: 'x-gateway-authentication-context-identifier', exact: true }).waitFor();
      await page.getByLabel('Header name').fill('Host');
      await page.getByLabel('Value', { exact: true }).fill('internal.example');
      await page.getByRole('button', { name: 'Add header' }).click();
      expect(await page.getByRole('alert').textContent()).toBe('headers: "Host" is reserved (each delivery sets it, or HTTP does) and cannot be given');
      await page.getByRole('button', { name: 'Delete endpoint' }).click();
      await page.getByRole('group', { name: 'Delete this endpoint and its history?' }).waitFor();
      await fitsTheScreen(page, width);
    });

    it('a message with a long payload, its deliveries and every attempt', async () => {
      await open(`/messages/${failedMsgId}`, new RegExp(LONG_TYPE.replace(/\./g, '\\.')));
      await vi.waitFor(async () => expect(await page.getByTestId('message-attempt').count()).toBe(2), { timeout: UI_TIMEOUT });
      await page.getByTestId('delivery').waitFor();
      await fitsTheScreen(page, width);
    });

    it('the event types, schemas and examples unfolded', async () => {
      await open('/event-types', 'Event types');
      await page.getByText(LONG_TYPE).first().waitFor();
      await fitsTheScreen(page, width);
    });

    it("a page that does not exist, and an endpoint that does not", async () => {
      await open(`/${'nowhere-'.repeat(20)}`, 'Page not found');
      await fitsTheScreen(page, width);
      await page.goto(`${h.dispatcher.url}/portal/endpoints/ep_${'missing'.repeat(20)}`);
      await page.getByRole('alert').waitFor();
      await fitsTheScreen(page, width);
    });

    it('the pages for no link and for an expired link', async () => {
      const revoked = await h.svix.authentication.appPortalAccess(appId, {});
      await h.dispatcher.as(revoked.token).authentication.logout();
      for (const [url, heading] of [
        [`${h.dispatcher.url}/portal`, 'Open the portal from your link'],
        [revoked.url, 'This portal link has expired'],
      ]) {
        // A tab of its own: nothing signed in, and the link's fragment loads the page rather than only moving in it.
        const tab = await browser.context.newPage();
        await tab.setViewportSize({ width, height: 740 });
        await tab.goto(url);
        await tab.getByRole('heading', { name: heading }).waitFor();
        await fitsTheScreen(tab, width);
        await tab.close();
      }
    });
  });

  it("shows a delivery refused by the dispatcher's address rules in the customer's words, not the operator's", async () => {
    const endpoint = await h.svix.endpoint.create(appId, { url: h.receiver.url('/moved'), eventTypes: ['invoice.paid'] });
    // As if the operator narrowed the allowed ranges after the endpoint was saved: each delivery is refused before it is sent.
    await h.dispatcher.dataSource.query('UPDATE homing_endpoints SET url = ? WHERE id = ?', ['http://10.0.0.5/hook', endpoint.id]);
    const message = await h.svix.message.create(appId, { eventType: 'invoice.paid', payload: { invoice: 'inv_7' } });
    await vi.waitFor(async () => expect((await h.svix.messageAttempt.listByMsg(appId, message.id)).data).toHaveLength(2), { timeout: UI_TIMEOUT });

    await page.setViewportSize({ width: WIDTHS[0], height: 740 });
    await open(`/messages/${message.id}`, /invoice\.paid/);
    const attempts = page.getByTestId('message-attempt');
    await vi.waitFor(async () => expect(await attempts.count()).toBe(2), { timeout: UI_TIMEOUT });
    expect(await attempts.allTextContents()).toEqual([expect.stringMatching(/^FailedNot sent: this address is not allowed/), expect.stringMatching(/^FailedNot sent/)]);
    await fitsTheScreen(page, WIDTHS[0]);
    expect(await page.locator('main').textContent()).not.toMatch(/CIDR|10\.0\.0\.0\/8|private address|no request was made/);
  });
});
