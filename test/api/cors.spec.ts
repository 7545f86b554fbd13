import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDispatcherApp, useDispatcher, type DispatcherTestApp } from '../support/dispatcher-app.js';

const DASHBOARD = 'https://dashboard.example.com';
const LOCAL_DASHBOARD = 'http://localhost:5173';
const STRANGER = 'https://evil.example.net';
/** What the svix client sends on a POST, beyond the safelisted headers. */
const SVIX_REQUEST_HEADERS = 'authorization,content-type,idempotency-key,svix-req-id';

/** The response's CORS headers, by name. */
function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));
}

function preflight(base: string, path: string, origin: string, method = 'POST'): Promise<Response> {
  return fetch(base + path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': SVIX_REQUEST_HEADERS },
  });
}

describe('browser access to the API (HOMING_CORS_ORIGINS) and framing of the portal (HOMING_PORTAL_FRAME_ANCESTORS)', () => {
  const h = useDispatcher({ HOMING_CORS_ORIGINS: `${DASHBOARD},${LOCAL_DASHBOARD}`, HOMING_PORTAL_FRAME_ANCESTORS: `${DASHBOARD} , ${LOCAL_DASHBOARD}` });
  /** The same database with neither variable set: today's behaviour. */
  let plain: DispatcherTestApp;
  let appId: string;
  let portalToken: string;

  beforeAll(async () => {
    plain = await startDispatcherApp(h.services, { HOMING_WORKER: 'false' });
    appId = (await h.svix.application.create({ name: 'Embedded' })).id;
    const link = (await h.svix.authentication.appPortalAccess(appId, {})).url;
    portalToken = new URLSearchParams(new URL(link).hash.slice(1)).get('key')!;
  });

  afterAll(async () => {
    await plain?.close();
  });

  it('answers a listed origin’s preflight with the methods and the headers the svix client sends, and no credentials', async () => {
    const response = await preflight(h.dispatcher.url, `/api/v1/app/${appId}/endpoint`, DASHBOARD);
    expect(response.status).toBe(204);
    const headers = corsHeaders(response);
    expect(headers['access-control-allow-origin']).toBe(DASHBOARD);
    expect(headers['access-control-allow-methods']!.split(',')).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
    expect(headers['access-control-allow-headers']!.split(',')).toEqual(expect.arrayContaining([...SVIX_REQUEST_HEADERS.split(','), 'svix-retry-count']));
    expect(headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('lets a listed origin read answers made with a portal token, errors included, echoing that origin only', async () => {
    const listed = await fetch(`${h.dispatcher.url}/api/v1/app/${appId}/endpoint`, { headers: { origin: LOCAL_DASHBOARD, authorization: `Bearer ${portalToken}` } });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({ data: [] });
    expect(corsHeaders(listed)).toEqual({ 'access-control-allow-origin': LOCAL_DASHBOARD });
    expect(listed.headers.get('vary')).toMatch(/\bOrigin\b/);

    const refused = await fetch(`${h.dispatcher.url}/api/v1/app/${appId}/endpoint`, { headers: { origin: DASHBOARD, authorization: 'Bearer hpt_not-a-token' } });
    expect(refused.status).toBe(401);
    expect(corsHeaders(refused)).toEqual({ 'access-control-allow-origin': DASHBOARD });
  });

  it('gives an unlisted origin, a request without Origin and the pages outside the API no CORS header at all', async () => {
    const strangerPreflight = await preflight(h.dispatcher.url, `/api/v1/app/${appId}/endpoint`, STRANGER);
    expect(strangerPreflight.status).toBe(404);
    expect(corsHeaders(strangerPreflight)).toEqual({});

    const stranger = await fetch(`${h.dispatcher.url}/api/v1/app/${appId}/endpoint`, { headers: { origin: STRANGER, authorization: `Bearer ${portalToken}` } });
    expect(stranger.status).toBe(200);
    expect(corsHeaders(stranger)).toEqual({});
    // A cache must not hand this answer to a listed origin.
    expect(stranger.headers.get('vary')).toMatch(/\bOrigin\b/);

    const noOrigin = await fetch(`${h.dispatcher.url}/api/v1/app/${appId}/endpoint`, { headers: { authorization: `Bearer ${portalToken}` } });
    expect(corsHeaders(noOrigin)).toEqual({});

    const portalPage = await fetch(`${h.dispatcher.url}/portal`, { headers: { origin: DASHBOARD } });
    expect(corsHeaders(portalPage)).toEqual({});
    // A prefix of a listed origin is another origin.
    expect(corsHeaders(await preflight(h.dispatcher.url, '/api/v1/app', `${DASHBOARD}.evil.example.net`))).toEqual({});
  });

  it('answers no preflight and sends no CORS header when HOMING_CORS_ORIGINS is not set', async () => {
    const response = await preflight(plain.url, `/api/v1/app/${appId}/endpoint`, DASHBOARD);
    expect(response.status).toBe(404);
    expect(corsHeaders(response)).toEqual({});
    const answer = await fetch(`${plain.url}/api/v1/app/${appId}/endpoint`, { headers: { origin: DASHBOARD, authorization: `Bearer ${portalToken}` } });
    expect(answer.status).toBe(200);
    expect(corsHeaders(answer)).toEqual({});
  });

  it('lets only the listed origins frame the portal, and no page at all when HOMING_PORTAL_FRAME_ANCESTORS is not set', async () => {
    const framed = await fetch(`${h.dispatcher.url}/portal`);
    expect(framed.headers.get('content-security-policy')).toContain(`frame-ancestors ${DASHBOARD} ${LOCAL_DASHBOARD};`);
    expect(framed.headers.get('x-frame-options')).toBeNull();

    const unframed = await fetch(`${plain.url}/portal/endpoints`);
    expect(unframed.headers.get('content-security-policy')).toContain("frame-ancestors 'none';");
    expect(unframed.headers.get('x-frame-options')).toBe('DENY');
  });

  it('lets the portal page show the image of its link’s http(s) icon, and nothing else from elsewhere', async () => {
    const imageSources = async (query: string) => {
      const csp = (await fetch(`${plain.url}/portal${query}`)).headers.get('content-security-policy')!;
      return /img-src ([^;]*);/.exec(csp)![1];
    };
    expect(await imageSources('')).toBe("'self' data:");
    expect(await imageSources(`?icon=${encodeURIComponent('https://cdn.example.com/brand/logo.png?v=2')}&darkMode=true`)).toBe("'self' data: https://cdn.example.com");
    expect(await imageSources(`?icon=${encodeURIComponent('http://127.0.0.1:8080/logo.svg')}`)).toBe("'self' data: http://127.0.0.1:8080");
    for (const icon of ["https://a;script-src 'unsafe-inline'", 'javascript:alert(1)', 'data:text/html,<script>1</script>', 'logo.png']) {
      expect(await imageSources(`?icon=${encodeURIComponent(icon)}`)).toBe("'self' data:");
    }
    expect(await imageSources('?icon=https://a.example.com&icon=https://b.example.com')).toBe("'self' data:");
  });
});
