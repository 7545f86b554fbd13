import { ForbiddenDestinationError } from '@homing/webhooks';
import { describe, expect, it } from 'vitest';
import { useEditorAndWorker } from '../support/editor-and-worker.js';

/** The worker allows only 127.0.0.2 while the receiver listens on 127.0.0.1. */
describe('SSRF: endpoint URLs are judged when saved and on the address each connection resolves to', () => {
  const rig = useEditorAndWorker(() => ({ allowedCidrs: ['127.0.0.2/32'] }));

  async function saveError(url: string): Promise<unknown> {
    const app = await rig.worker.applications.create({ name: `save ${url}` });
    return rig.worker.endpoints.create(app.id, { url }).then(
      () => expect.unreachable(`${url} was saved`),
      (error: unknown) => error,
    );
  }

  it.each([
    ['http://127.0.0.1:8080/hook', /127\.0\.0\.1 is a loopback address \(127\.0\.0\.0\/8\), not in the allowed CIDRs/],
    ['http://localhost:8080/hook', /host "localhost" resolves to a forbidden address: (127\.0\.0\.1|::1) is a loopback address/],
    ['http://[::1]:8080/hook', /::1 is a loopback address \(::1\/128\)/],
    ['http://[::ffff:127.0.0.1]/hook', /::ffff:7f00:1 \(127\.0\.0\.1\) is a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://[::ffff:a9fe:a9fe]/latest/meta-data/', /\(169\.254\.169\.254\) is a cloud metadata address/],
    ['http://169.254.10.1/', /link-local address \(169\.254\.0\.0\/16\)/],
    ['http://10.0.0.5/hook', /private address \(10\.0\.0\.0\/8\)/],
    ['http://172.16.0.1/hook', /private address \(172\.16\.0\.0\/12\)/],
    ['https://192.168.1.20/hook', /private address \(192\.168\.0\.0\/16\)/],
    ['http://100.64.0.1/hook', /carrier-grade NAT/],
    ['http://[fc00::1]/hook', /unique local/],
    ['http://[fe80::1]/hook', /link-local address \(fe80::\/10\)/],
    ['http://0.0.0.0:8080/hook', /unspecified/],
    ['http://224.0.0.1/hook', /multicast/],
    ['http://255.255.255.255/hook', /broadcast/],
  ])('refuses to save %s with a ForbiddenDestinationError (a 422 on url through the API) that names the reason', async (url, reason) => {
    const error = await saveError(url);
    expect(error).toBeInstanceOf(ForbiddenDestinationError);
    expect((error as ForbiddenDestinationError).code).toBe('forbidden_destination');
    expect((error as ForbiddenDestinationError).reason).toMatch(reason);
  });

  it('saves public and allow-listed destinations (no request is made when saving)', async () => {
    const app = await rig.worker.applications.create({ name: 'Allowed destinations' });
    // Disabled: nothing is ever sent off this machine.
    for (const url of ['https://93.184.216.34/hook', 'https://[2606:4700:4700::1111]/hook', 'http://127.0.0.2:9/hook']) {
      await expect(rig.worker.endpoints.create(app.id, { url, disabled: true })).resolves.toMatchObject({ url });
    }
  });

  it('refuses to move an endpoint to a forbidden URL and keeps the old one', async () => {
    const app = await rig.worker.applications.create({ name: 'Move' });
    const endpoint = await rig.worker.endpoints.create(app.id, { url: 'http://127.0.0.2:9/hook', disabled: true });
    const error = await rig.worker.endpoints.update(app.id, endpoint.id, { url: 'http://169.254.169.254/latest/' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenDestinationError);
    expect((await rig.worker.endpoints.get(app.id, endpoint.id)).url).toBe('http://127.0.0.2:9/hook');
  });

  /** An endpoint the worker would not save, delivered by the worker. */
  async function deliverPastThePolicy(url: string) {
    const { attempts } = await rig.deliverOnce(url);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 'failed', responseStatusCode: 0 });
    return attempts[0];
  }

  it('refuses at connect time a host name that now resolves to a forbidden address: a failed attempt, no request made', async () => {
    const port = new URL(rig.receiver.url()).port;
    const attempt = await deliverPastThePolicy(`http://localhost:${port}/rebound`);
    expect(attempt.response).toMatch(/^refused: host "localhost" resolves to a forbidden address: (127\.0\.0\.1|::1) is a loopback address .*; no request was made$/);
    expect(rig.receiver.on('/rebound')).toHaveLength(0);
  });

  it('refuses an IP-literal URL, which never goes through a lookup', async () => {
    const attempt = await deliverPastThePolicy(rig.receiver.url('/literal'));
    expect(attempt.response).toMatch(/^refused: 127\.0\.0\.1 is a loopback address \(127\.0\.0\.0\/8\), not in the allowed CIDRs; no request was made$/);
    expect(rig.receiver.on('/literal')).toHaveLength(0);
  });

  it('refuses an IPv4-mapped IPv6 literal by the IPv4 address it carries', async () => {
    const port = new URL(rig.receiver.url()).port;
    const attempt = await deliverPastThePolicy(`http://[::ffff:127.0.0.1]:${port}/mapped`);
    expect(attempt.response).toMatch(/^refused: ::ffff:7f00:1 \(127\.0\.0\.1\) is a loopback address/);
    expect(rig.receiver.on('/mapped')).toHaveLength(0);
  });
});

describe('httpsOnly', () => {
  const rig = useEditorAndWorker(() => ({ httpsOnly: true }));

  it('refuses to save an http: URL and saves an https: one', async () => {
    const app = await rig.worker.applications.create({ name: 'https only' });
    const error = await rig.worker.endpoints.create(app.id, { url: 'http://127.0.0.1:9/hook' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenDestinationError);
    expect((error as ForbiddenDestinationError).reason).toBe('http: URLs are refused (httpsOnly is set)');
    await expect(rig.worker.endpoints.create(app.id, { url: 'https://127.0.0.1:9/hook', disabled: true })).resolves.toBeDefined();
  });

  it('does not send to an http: endpoint saved before it was set', async () => {
    const { attempts } = await rig.deliverOnce(rig.receiver.url('/plain'));
    expect(attempts).toMatchObject([{ status: 'failed', response: 'refused: http: URLs are refused (httpsOnly is set); no request was made' }]);
    expect(rig.receiver.on('/plain')).toHaveLength(0);
  });
});
