import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { EndpointOut } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensurePortalBuilt, launchChromium, type TestBrowser } from '../support/browser.js';
import { OPERATOR_TOKEN, useDispatcher } from '../support/dispatcher-app.js';

const UI_TIMEOUT = 15_000;
/** The status in words of an endpoint whose retries are due in an hour, give or take the schedule's 10 % jitter. */
const NEXT_RETRY_IN_AN_HOUR = /^Failing since .+, next retry in (1 h( \d+ min)?|5\d min)$/;
/** PORTAL_SCREENSHOTS=docs writes the README's screenshots of the chart and the list (docs/portal-*.png). */
const SCREENSHOTS = process.env.PORTAL_SCREENSHOTS;

describe("an endpoint's health in the portal (Chromium)", () => {
  // A failing delivery is tried twice, then waits an hour for its next retry: still retrying throughout the test.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '50ms,1h' });
  let browser: TestBrowser;
  let page: Page;
  let appId: string;
  let mixed: EndpointOut;
  let down: EndpointOut;
  let quiet: EndpointOut;

  /** The statistics API's answer, as the portal's own token would get it. */
  const stats = async (path: string) => {
    const response = await fetch(`${h.dispatcher.url}/api/v1${path}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as any;
  };
  const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);
  const attempts = async (endpoint: EndpointOut) => {
    const series = await stats(`/stats/app/${appId}/attempt?period=OneHour&endpoint_id=${endpoint.id}`);
    return [sum(series.data.successCount), sum(series.data.failureCount)];
  };

  beforeAll(async () => {
    await ensurePortalBuilt();
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);

    // /mixed fails the messages that ask for it; /down fails everything.
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/down' || request.body.includes('"fail":true') ? 500 : 200).end());
    const app = await h.svix.application.create({ name: 'Health in the portal' });
    appId = app.id;
    mixed = await h.svix.endpoint.create(appId, { url: h.receiver.url('/mixed'), description: 'Mixed' });
    down = await h.svix.endpoint.create(appId, { url: h.receiver.url('/down'), description: 'Down' });
    quiet = await h.svix.endpoint.create(appId, { url: h.receiver.url('/quiet'), eventTypes: ['never.sent'] });
    for (const fail of [false, false, false, true]) await h.svix.message.create(appId, { eventType: 'order.completed', payload: { fail } });
    // /mixed: 3 successes and the failing message's two attempts; /down: two failed attempts per message, four deliveries waiting an hour.
    await vi.waitFor(
      async () => {
        expect(await attempts(mixed)).toEqual([3, 2]);
        expect(await attempts(down)).toEqual([0, 8]);
        expect(await h.svix.endpoint.getStats(appId, down.id)).toMatchObject({ pending: 4, sending: 0 });
        expect(await h.svix.endpoint.getStats(appId, mixed.id)).toMatchObject({ success: 3, pending: 1, sending: 0 });
      },
      { timeout: 30_000, interval: 200 },
    );
    await page.goto((await h.svix.authentication.appPortalAccess(appId, {})).url);
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function shot(name: string): Promise<void> {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `portal-${name}.png`), fullPage: true });
  }

  /** The chart's numbers as its hidden table gives them: period start → [succeeded, failed]. */
  async function chartNumbers(): Promise<Map<string, number[]>> {
    const table = page.getByTestId('attempt-chart-data');
    await table.waitFor({ state: 'attached' });
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('time')!.getAttribute('datetime')!, ...[...tr.querySelectorAll('td')].map((td) => Number(td.textContent))] as const),
    );
    return new Map(rows.map(([start, success, failure]) => [start, [success, failure]]));
  }

  /** The statistics API's numbers for the same periods. */
  async function apiNumbers(endpoint: EndpointOut, since: string): Promise<Map<string, number[]>> {
    const series = await stats(`/stats/app/${appId}/attempt?period=OneHour&startDate=${since}&endpoint_id=${endpoint.id}`);
    const start = Date.parse(series.startDate);
    return new Map(series.data.successCount.map((success: number, i: number) => [new Date(start + i * 3_600_000).toISOString(), [success, series.data.failureCount[i]]]));
  }

  async function expectChartMatchesApi(endpoint: EndpointOut, hours: number): Promise<void> {
    const chart = await chartNumbers();
    expect(chart.size).toBe(hours);
    const [first] = chart.keys();
    const api = await apiNumbers(endpoint, first);
    // The API may have begun a new hour since the page asked: every hour the chart shows has the API's numbers.
    for (const [start, counts] of chart) expect([start, counts]).toEqual([start, api.get(start)]);
    expect(sum([...chart.values()].map(([success]) => success))).toBe(sum([...api.values()].map(([success]) => success)));
    expect(sum([...chart.values()].map(([, failure]) => failure))).toBe(sum([...api.values()].map(([, failure]) => failure)));
  }

  it("draws the endpoint's attempts per hour with the statistics API's numbers, over 24 hours and over 7 days", async () => {
    await page.goto(`${h.dispatcher.url}/portal/endpoints/${mixed.id}`);
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    const chart = page.getByRole('img', { name: 'Attempts per hour, last 24 hours' });
    await chart.waitFor();
    expect(await chart.getAttribute('aria-labelledby')).toBeTruthy();
    expect(await page.locator('svg[data-testid="attempt-chart"] desc').textContent()).toBe('3 attempts succeeded and 2 failed; at most 5 in one period.');
    await expectChartMatchesApi(mixed, 24);
    expect(await page.getByTestId('attempts-succeeded').textContent()).toBe('3');
    expect(await page.getByTestId('attempts-failed').textContent()).toBe('2');
    expect(await page.getByTestId('activity-rate').textContent()).toBe('60 %');
    expect(await page.getByTestId('deliveries-pending').textContent()).toBe('1');
    await shot('endpoint-activity');

    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.getByRole('img', { name: 'Attempts per hour, last 7 days' }).waitFor();
    expect(await page.getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed')).toBe('true');
    await expectChartMatchesApi(mixed, 7 * 24);
    expect(await page.getByTestId('attempts-succeeded').textContent()).toBe('3');
  });

  it('tells the truth about a failing endpoint still retrying: attempts failed, deliveries pending, 0 %, and when it is tried next', async () => {
    await page.goto(`${h.dispatcher.url}/portal/endpoints/${down.id}`);
    await page.getByRole('img', { name: 'Attempts per hour, last 24 hours' }).waitFor();
    await expectChartMatchesApi(down, 24);
    expect(await page.getByTestId('attempts-succeeded').textContent()).toBe('0');
    expect(await page.getByTestId('attempts-failed').textContent()).toBe('8');
    expect(await page.getByTestId('activity-rate').textContent()).toBe('0 %');
    expect(await page.getByTestId('deliveries-pending').textContent()).toBe('4');
    expect(await page.getByTestId('deliveries-failed').textContent()).toBe('0');
    expect(await page.getByTestId('endpoint-health').textContent()).toMatch(NEXT_RETRY_IN_AN_HOUR);
  });

  it('lists each endpoint with its last 24 hours and a failing one with its status in words', async () => {
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Endpoints' }).click();
    const card = (endpoint: EndpointOut) => page.getByRole('listitem').filter({ has: page.getByRole('link', { name: endpoint.url, exact: true }) });
    await card(down).getByTestId('success-rate').filter({ hasText: '0 %' }).waitFor();
    expect(await card(down).getByTestId('endpoint-health').textContent()).toMatch(NEXT_RETRY_IN_AN_HOUR);
    expect(await card(down).getByRole('img', { name: 'Attempts per hour, last 24 hours: 0 attempts succeeded and 8 failed' }).count()).toBe(1);
    await card(mixed).getByTestId('success-rate').filter({ hasText: '60 %' }).waitFor();
    await card(quiet).getByTestId('success-rate').filter({ hasText: 'No deliveries yet' }).waitFor();
    expect(await card(quiet).getByTestId('endpoint-health').count()).toBe(0);
    await shot('endpoints-health');
    // The failing status is the library's: since the first failure without a success since.
    const { failingSince } = await stats(`/app/${appId}/endpoint/${down.id}/stats`);
    expect(Date.parse(failingSince)).toBeLessThanOrEqual(Date.now());
  });

  it('fits 360 px wide without sideways scrolling', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    try {
      for (const path of ['/portal', `/portal/endpoints/${down.id}`]) {
        await page.goto(h.dispatcher.url + path);
        await page.getByTestId(path === '/portal' ? 'endpoint-health' : 'attempt-chart').first().waitFor();
        expect(await page.evaluate('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
        if (path !== '/portal') await shot('endpoint-failing-phone');
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });
});
