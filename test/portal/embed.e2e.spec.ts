import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensurePortalBuilt, launchChromium, type TestBrowser } from '../support/browser.js';
import { startDispatcherApp, type DispatcherTestApp } from '../support/dispatcher-app.js';
import { createTestServices, type TestServices } from '../support/services.js';

const PAGE_SOURCE = fileURLToPath(new URL('./embed-page/', import.meta.url));
const UI_TIMEOUT = 15_000;
/** PORTAL_SCREENSHOTS=docs writes a screenshot of the embedded portal (docs/portal-embedded.png), as portal.e2e.spec.ts does. */
const SCREENSHOTS = process.env.PORTAL_SCREENSHOTS;
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="#0e7c66"/></svg>';

interface PageServer {
  server: Server;
  /** `http://127.0.0.1:<port>`: an origin of its own, as the dispatcher is on another port. */
  origin: string;
}

/** A customer's dashboard: the bundled page (and its icon) from a loopback port. */
async function servePage(dir: string): Promise<PageServer> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url!, 'http://page').pathname;
    const file = path === '/' ? 'index.html' : path.slice(1);
    try {
      const body = await readFile(join(dir, file));
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("svix-react's AppPortal and hooks on a customer's dashboard (another origin)", () => {
  let services: TestServices;
  /** HOMING_CORS_ORIGINS and HOMING_PORTAL_FRAME_ANCESTORS name the dashboard. */
  let dispatcher: DispatcherTestApp;
  /** The same database with neither set. */
  let plain: DispatcherTestApp;
  let bundle: string;
  let dashboard: PageServer;
  /** The same page from an origin that is not listed. */
  let stranger: PageServer;
  let browser: TestBrowser;
  let appId: string;
  /** What Chromium reported in each dashboard tab's console. */
  const consoleErrors = new WeakMap<Page, string[]>();

  beforeAll(async () => {
    bundle = await mkdtemp(join(tmpdir(), 'homing-embed-'));
    await Promise.all([
      ensurePortalBuilt(),
      build({
        root: PAGE_SOURCE,
        configFile: false,
        logLevel: 'warn',
        // React's production build and JSX, though vitest runs with NODE_ENV=test.
        oxc: { jsx: { runtime: 'automatic', importSource: 'react', development: false } },
        define: { 'process.env.NODE_ENV': '"production"' },
        build: { outDir: bundle, emptyOutDir: true, target: 'es2022' },
      }),
    ]);
    await writeFile(join(bundle, 'icon.svg'), ICON);
    [dashboard, stranger] = await Promise.all([servePage(bundle), servePage(bundle)]);
    services = await createTestServices();
    dispatcher = await startDispatcherApp(services, { HOMING_CORS_ORIGINS: dashboard.origin, HOMING_PORTAL_FRAME_ANCESTORS: dashboard.origin });
    plain = await startDispatcherApp(services, { HOMING_WORKER: 'false' });
    appId = (await dispatcher.svix.application.create({ name: 'Acme Logistics' })).id;
    await dispatcher.svix.endpoint.create(appId, { url: 'https://warehouse.example.com/hooks', description: 'Warehouse' });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([dashboard, stranger].map((site) => site && new Promise((resolve) => site.server.close(resolve))));
    await plain?.close();
    await dispatcher?.close();
    await services?.drop();
    if (bundle) await rm(bundle, { recursive: true, force: true });
  });

  /** The dashboard page from `site`, embedding a fresh portal link of `from`. */
  async function openDashboard(site: PageServer, from: DispatcherTestApp, endpointUrl = 'https://dashboard-made.example.com/hooks'): Promise<Page> {
    const link = (await from.svix.authentication.appPortalAccess(appId, {})).url;
    const tab = await browser.context.newPage();
    tab.setDefaultTimeout(UI_TIMEOUT);
    const errors: string[] = [];
    consoleErrors.set(tab, errors);
    tab.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    const fragment = new URLSearchParams({ link, app: appId, endpointUrl, icon: `${site.origin}/icon.svg` });
    await tab.goto(`${site.origin}/#${fragment}`);
    return tab;
  }

  /** The portal's frame, once its document has come (or failed to come). */
  async function portalFrame(page: Page): Promise<Frame> {
    const handle = await page.locator('iframe').elementHandle();
    await vi.waitFor(async () => expect(await handle!.contentFrame()).not.toBeNull(), { timeout: UI_TIMEOUT });
    return (await handle!.contentFrame())!;
  }

  /** The height svix-react gave the frame, from the portal's messages. */
  const frameHeight = (page: Page) => page.evaluate('document.querySelector("iframe").style.height');

  /** Waits until the frame's height is what the portal's content needs. */
  async function frameFollowsContent(page: Page, frame: Frame): Promise<void> {
    await vi.waitFor(
      async () => {
        const content = await frame.evaluate('Math.ceil(document.getElementById("root").getBoundingClientRect().height)');
        expect(await frameHeight(page)).toBe(`${content}px`);
      },
      { timeout: UI_TIMEOUT, interval: 200 },
    );
  }

  it('shows the portal in the frame with the look the dashboard asked for, and the frame takes its height', async () => {
    const page = await openDashboard(dashboard, dispatcher);
    const frame = await portalFrame(page);
    expect(new URL(frame.url()).searchParams.get('darkMode')).toBe('true');
    await frame.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await frame.getByText('https://warehouse.example.com/hooks').waitFor();

    expect(await frame.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await frame.evaluate('getComputedStyle(document.querySelector(".button-primary")).backgroundColor')).toBe('rgb(14, 124, 102)');
    expect(await frame.evaluate('getComputedStyle(document.documentElement).fontFamily')).toBe('Georgia, serif');
    // The dashboard's icon, loaded from the dashboard's origin (the portal's CSP lets that one origin in).
    const icon = frame.locator('img.brand-icon');
    await icon.waitFor();
    await vi.waitFor(async () => expect(await frame.evaluate('document.querySelector("img.brand-icon").naturalWidth')).toBe(32), { timeout: UI_TIMEOUT });
    await frameFollowsContent(page, frame);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'portal-embedded.png'), fullPage: true });
    await page.close();
  });

  it('leaves the dashboard’s focus and scroll alone as the portal opens', async () => {
    const page = await openDashboard(dashboard, dispatcher);
    await page.setViewportSize({ width: 1280, height: 300 });
    const frame = await portalFrame(page);
    await frame.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await frameFollowsContent(page, frame);
    expect(await page.evaluate('[scrollY, document.activeElement === document.body]')).toEqual([0, true]);
    await page.close();
  });

  it('adds an endpoint from the framed portal, and the frame follows the new page’s height', async () => {
    const page = await openDashboard(dashboard, dispatcher);
    const frame = await portalFrame(page);
    await frame.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await frameFollowsContent(page, frame);
    const listHeight = await frameHeight(page);

    await frame.getByRole('link', { name: 'Add endpoint' }).first().click();
    await frame.getByRole('heading', { name: 'Add an endpoint' }).waitFor();
    await frameFollowsContent(page, frame);
    expect(await frameHeight(page)).not.toBe(listHeight);
    await frame.getByLabel('Endpoint URL').fill('https://framed.example.com/hooks');
    await frame.getByRole('button', { name: 'Create endpoint' }).click();
    await frame.getByRole('heading', { name: 'https://framed.example.com/hooks' }).waitFor();
    await frameFollowsContent(page, frame);

    const urls = (await dispatcher.svix.endpoint.list(appId)).data.map((endpoint) => endpoint.url);
    expect(urls).toContain('https://framed.example.com/hooks');
    await page.close();
  });

  it('keeps the framed portal usable at phone width', async () => {
    const page = await openDashboard(dashboard, dispatcher);
    await page.setViewportSize({ width: 390, height: 800 });
    const frame = await portalFrame(page);
    await frame.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await frameFollowsContent(page, frame);
    expect(await frame.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
    await page.close();
  });

  it('follows the system’s colour scheme with darkMode=auto, ignores a bad colour, and keeps the look from page to page', async () => {
    const link = new URL((await dispatcher.svix.authentication.appPortalAccess(appId, {})).url);
    link.search = new URLSearchParams({ darkMode: 'auto', primaryColor: 'red; } html { display: none' }).toString();
    const page = await browser.context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(link.href);
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    const html = page.locator('html');
    expect(await html.getAttribute('data-theme')).toBe('dark');
    expect(await html.getAttribute('data-accent')).toBeNull();
    // Not framed: the page keeps its full height and posts nothing.
    expect(await html.getAttribute('data-framed')).toBeNull();
    await page.emulateMedia({ colorScheme: 'light' });
    await vi.waitFor(async () => expect(await html.getAttribute('data-theme')).toBe('light'), { timeout: UI_TIMEOUT });

    await page.getByRole('link', { name: 'Event types' }).click();
    await page.getByRole('heading', { name: 'Event types' }).waitFor();
    expect(new URL(page.url()).searchParams.get('darkMode')).toBe('auto');
    await page.close();
  });

  it('lets the listed dashboard call the API with the portal token through svix-react’s hooks and the svix client', async () => {
    const page = await openDashboard(dashboard, dispatcher, 'https://from-hooks.example.com/hooks');
    await page.getByTestId('api-endpoints').getByText('https://warehouse.example.com/hooks').waitFor();
    await page.getByRole('button', { name: 'Create through the API' }).click();
    const result = page.getByTestId('api-result');
    await vi.waitFor(async () => expect(await result.textContent()).toMatch(/^created ep_/), { timeout: UI_TIMEOUT });
    const id = (await result.textContent())!.slice('created '.length);
    expect(await dispatcher.svix.endpoint.get(appId, id)).toMatchObject({ url: 'https://from-hooks.example.com/hooks', description: 'From the dashboard' });
    await page.close();
  });

  it('refuses an origin that is not listed: no frame, no API access', async () => {
    const before = (await dispatcher.svix.endpoint.list(appId)).data.length;
    const page = await openDashboard(stranger, dispatcher);
    await page.getByTestId('api-error').waitFor();
    await page.getByRole('button', { name: 'Create through the API' }).click();
    await vi.waitFor(async () => expect(await page.getByTestId('api-result').textContent()).toMatch(/^failed: TypeError/), { timeout: UI_TIMEOUT });
    expect((await dispatcher.svix.endpoint.list(appId)).data).toHaveLength(before);
    await expectRefused(page, `frame-ancestors ${dashboard.origin}`);
    await page.close();
  });

  it('refuses the frame and the API calls of any page when neither variable is set', async () => {
    const page = await openDashboard(dashboard, plain);
    await page.getByTestId('api-error').waitFor();
    await expectRefused(page, "frame-ancestors 'none'");
    await page.close();
  });

  /** Chromium refused the portal's document in the frame, naming the directive, and the API's answers to the page. */
  async function expectRefused(page: Page, directive: string): Promise<void> {
    const errors = consoleErrors.get(page)!;
    await vi.waitFor(() => expect(errors.some((error) => /^Framing '[^']*' violates/.test(error) && error.includes(`"${directive}"`))).toBe(true), { timeout: UI_TIMEOUT });
    expect((await portalFrame(page)).url()).toMatch(/^chrome-error:/);
    expect(await frameHeight(page)).toBe('');
    expect(errors.some((error) => error.includes('has been blocked by CORS policy'))).toBe(true);
  }
});
