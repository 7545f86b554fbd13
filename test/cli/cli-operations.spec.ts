import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageEntity } from '@homing/webhooks';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OPERATOR_TOKEN, useDispatcher } from '../support/dispatcher-app.js';
import { capture, homingAt } from './cli-harness.js';

describe('homing CLI: setting up, secrets and the operator operations', () => {
  // A long schedule: a failing delivery stays pending (waiting on its retry) for the whole test.
  const h = useDispatcher({ HOMING_RETRY_SCHEDULE: '1h' });
  let files: string;
  const homing = (args: string[], io = capture()) => homingAt(h.dispatcher.url, args, io);
  const json = async (args: string[]) => {
    const result = await homing(['--json', ...args]);
    expect(result.err, result.err.join('\n')).toEqual([]);
    return JSON.parse(result.out.join('\n'));
  };
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${h.dispatcher.url}/api/v1/${path}`, { method, headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  beforeAll(async () => {
    files = await mkdtemp(join(tmpdir(), 'homing-cli-'));
  });

  afterAll(async () => {
    if (files) await rm(files, { recursive: true, force: true });
  });

  it('creates and lists applications', async () => {
    const created = await homing(['applications', 'create', 'Acme Corp', '--uid', 'acme', '--metadata', 'plan=pro', 'region=eu']);
    expect(created).toMatchObject({ code: 0, err: [] });
    expect(created.out).toEqual([expect.stringMatching(/^created app_\w+ \(acme\) Acme Corp$/)]);
    expect(await json(['applications', 'list'])).toEqual([expect.objectContaining({ uid: 'acme', name: 'Acme Corp', metadata: { plan: 'pro', region: 'eu' } })]);
    const listed = await homing(['applications', 'list']);
    expect(listed.out[0]).toMatch(/^ID\s+UID\s+CREATED\s+NAME$/);
    expect(listed.out[1]).toMatch(/^app_\w+\s+acme\s+\d{4}-\d\d-\d\d\s+Acme Corp$/);
    expect((await homing(['applications', 'create', 'Again', '--uid', 'acme'])).err[0]).toMatch(/^error: 409 conflict: /);
    expect((await homing(['applications', 'create', 'Bad', '--metadata', 'novalue'])).err).toEqual(['error: --metadata: expected key=value, got "novalue"']);
  });

  it('creates, lists and imports event types, from an OpenAPI document in YAML and from a JSON list', async () => {
    const schema = join(files, 'order.schema.json');
    await writeFile(schema, JSON.stringify({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }));
    const created = await homing(['event-types', 'create', 'order.completed', '--description', 'An order was paid for', '--schema', schema, '--group', 'orders']);
    expect(created).toMatchObject({ code: 0, out: ['created order.completed'] });
    expect(await h.svix.eventType.get('order.completed')).toMatchObject({ groupName: 'orders', schemas: { 1: { required: ['id'] } } });

    const openapi = join(files, 'webhooks.yaml');
    await writeFile(
      openapi,
      [
        'openapi: 3.1.0',
        'info: { title: Shop, version: "1" }',
        'webhooks:',
        '  invoice.paid:',
        '    post:',
        '      description: An invoice was paid',
        '      requestBody:',
        '        content:',
        '          application/json:',
        '            schema: { type: object, properties: { amount: { type: integer } } }',
        '  invoice.voided:',
        '    post:',
        '      description: An invoice was voided',
        '',
      ].join('\n'),
    );
    expect((await homing(['event-types', 'import', openapi, '--dry-run'])).out).toEqual(['would create or update 2 event types: invoice.paid, invoice.voided']);
    expect((await homing(['event-types', 'list'])).out).toHaveLength(2);
    expect((await homing(['event-types', 'import', openapi])).out).toEqual(['imported 2 event types: invoice.paid, invoice.voided']);
    expect((await h.svix.eventType.get('invoice.paid')).description).toBe('An invoice was paid');

    // What `list --json` prints imports back (here: changed, and one more).
    const listed = (await json(['event-types', 'list'])) as { name: string; description: string; schemas: unknown }[];
    expect(listed.find((type) => type.name === 'order.completed')?.schemas).toMatchObject({ 1: { required: ['id'] } });
    const list = join(files, 'types.json');
    await writeFile(list, JSON.stringify([...listed.map((type) => ({ ...type, description: `${type.description}.` })), { name: 'refund.issued', description: 'A refund was issued' }]));
    expect((await homing(['event-types', 'import', list])).out).toEqual(['imported 4 event types: invoice.paid, invoice.voided, order.completed, refund.issued']);
    expect((await h.svix.eventType.get('order.completed')).description).toBe('An order was paid for.');

    const table = await homing(['event-types', 'list']);
    expect(table.out[0]).toMatch(/^NAME\s+STATE\s+GROUP\s+DESCRIPTION$/);
    expect(table.out).toContainEqual(expect.stringMatching(/^order\.completed\s+active\s+orders\s+An order was paid for\.$/));

    expect((await homing(['event-types', 'import', join(files, 'missing.yaml')])).err).toEqual([`error: cannot read ${join(files, 'missing.yaml')}: ENOENT`]);
    expect((await homing(['event-types', 'import', list, '--replace-all'])).err).toEqual(['error: --dry-run and --replace-all apply to an OpenAPI document, not a list of event types']);
    await writeFile(join(files, 'broken.yaml'), 'openapi: [');
    expect((await homing(['event-types', 'import', join(files, 'broken.yaml')])).err[0]).toMatch(/^error: 422: specRaw: specRaw is not a YAML or JSON document: /);
  });

  it("shows, rotates and sets an endpoint's secret; a receiver holding the set secret verifies deliveries", async () => {
    await h.svix.application.create({ name: 'Secrets', uid: 'secrets' });
    const added = await homing(['--app', 'secrets', 'endpoints', 'add', h.receiver.url('/signed'), '--uid', 'signed']);
    const first = added.out[1].replace(/^secret /, '');
    expect((await homing(['--app', 'secrets', 'endpoints', 'secret', 'show', 'signed'])).out).toEqual([first]);

    const rotated = await homing(['--app', 'secrets', 'endpoints', 'secret', 'rotate', 'signed', '--grace-period', '0']);
    expect(rotated.out[0]).toBe('rotated the secret of signed; the old one keeps signing alongside it for the grace period');
    const second = rotated.out[1].replace(/^secret /, '');
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);

    // The consumer's secret, set on the endpoint: deliveries verify with it.
    const consumers = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect((await json(['--app', 'secrets', 'endpoints', 'secret', 'set', 'signed', consumers, '--grace-period', '0'])).key).toBe(consumers);
    const message = await h.svix.message.create('secrets', { eventType: 'order.completed', payload: { id: 'o_1' } });
    await vi.waitFor(() => expect(h.receiver.on('/signed')).toHaveLength(1), { timeout: 10_000 });
    const [delivery] = h.receiver.on('/signed');
    expect(delivery.headers['webhook-id']).toBe(message.id);
    expect(() => new Webhook(consumers).verify(delivery.body, delivery.headers as Record<string, string>)).not.toThrow();

    expect((await homing(['--app', 'secrets', 'endpoints', 'secret', 'set', 'signed', 'not-a-secret'])).err[0]).toMatch(/^error: 422: key: /);
    const withSecret = await homing(['--app', 'secrets', 'endpoints', 'add', h.receiver.url('/given'), '--secret', consumers]);
    expect(withSecret.out[1]).toBe(`secret ${consumers}`);
  });

  it('returns at once from recover while deliveries of the endpoint are still retrying, and waits only for those it sent again', async () => {
    await h.svix.application.create({ name: 'Recovering', uid: 'recovering' });
    await homing(['--app', 'recovering', 'endpoints', 'add', h.receiver.url('/down'), '--uid', 'down']);
    const endpoint = await h.svix.endpoint.get('recovering', 'down');
    h.receiver.answer((request, response) => void response.writeHead(request.path === '/down' ? 500 : 200).end());
    // Two deliveries fail once and wait an hour for their retry.
    for (const n of [1, 2]) await h.svix.message.create('recovering', { eventType: 'order.completed', payload: { n } });
    // (waitingRetry is Homing's: the SDK leaves it out.)
    await vi.waitFor(async () => expect(await (await api('GET', `app/recovering/endpoint/${endpoint.id}/stats`)).json()).toMatchObject({ waitingRetry: 2 }), { timeout: 10_000 });

    let started = Date.now();
    const nothing = await homing(['--app', 'recovering', 'recover', 'down', '--since', '2h']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(nothing.code).toBe(0);
    expect(nothing.out).toEqual([
      expect.stringMatching(/^nothing to recover: no failed deliveries to down of messages created since \d{4}-\d\d-\d\dT/),
      '2 deliveries to down failed and wait on a scheduled retry (not failed for good yet); homing endpoints retry-now down sends them now',
    ]);

    // Two more, of a type retried once after 20 ms: they fail for good.
    await homing(['event-types', 'create', 'quick.fail', '--description', 'Retried once, soon']);
    expect((await api('PUT', 'event-type/quick.fail/retry-schedule', { retrySchedule: [{ secs: 0, nanos: 20_000_000 }] })).status).toBeLessThan(300);
    await Promise.all([3, 4].map((n) => h.svix.message.create('recovering', { eventType: 'quick.fail', payload: { n } })));
    await vi.waitFor(async () => expect((await h.svix.endpoint.getStats('recovering', endpoint.id)).fail).toBe(2), { timeout: 10_000 });
    h.receiver.status(200);

    started = Date.now();
    const recovered = await homing(['--app', 'recovering', '--json', 'recover', 'down', '--since', '2h'], capture(true));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(recovered.err).toEqual(['']);
    expect(JSON.parse(recovered.out.join('\n'))).toMatchObject({ finished: true, messagesSent: 2, succeeded: 2, failed: 0 });
    expect(recovered.status.at(-1)).toBe('[########################] 100%  2/2  attempted');
    // The first two are still waiting on their retry: retry-now sends them.
    expect(await h.svix.endpoint.getStats('recovering', endpoint.id)).toMatchObject({ success: 2, pending: 2 });
    expect((await homing(['--app', 'recovering', 'endpoints', 'retry-now', 'down'])).out).toEqual(['retrying 2 deliveries to down now']);
    await vi.waitFor(async () => expect(await h.svix.endpoint.getStats('recovering', endpoint.id)).toMatchObject({ success: 4, pending: 0 }), { timeout: 10_000 });
    expect((await homing(['--app', 'recovering', 'endpoints', 'retry-now', 'down'])).out).toEqual(['nothing waiting for a retry at down']);

    const stats = await homing(['--app', 'recovering', 'endpoints', 'stats', 'down', '--since', '1h']);
    expect(stats.out).toEqual([expect.stringMatching(/^SUCCEEDED\s+FAILED\s+PENDING\s+SENDING\s+CANCELLED$/), expect.stringMatching(/^4\s+0\s+0\s+0\s+0$/)]);
  });

  it('replays the messages an endpoint missed, expunges a message, and counts attempts and endpoints', async () => {
    await h.svix.application.create({ name: 'Operated', uid: 'operated' });
    const sent = await Promise.all([1, 2, 3].map((n) => h.svix.message.create('operated', { eventType: 'order.completed', payload: { n } })));
    await homing(['--app', 'operated', 'endpoints', 'add', h.receiver.url('/late'), '--uid', 'late']);
    h.receiver.status(200);

    const replayed = await homing(['--app', 'operated', 'endpoints', 'replay-missing', 'late', '--since', '1h']);
    expect(replayed).toMatchObject({ code: 0, out: ['sent 3 missing messages to late'] });
    await vi.waitFor(() => expect(h.receiver.on('/late').map((request) => request.headers['webhook-id']).sort()).toEqual(sent.map((message) => message.id).sort()), { timeout: 10_000 });
    expect((await homing(['--app', 'operated', 'endpoints', 'replay-missing', 'late', '--since', '1h'])).out).toEqual(['nothing missing: late has a delivery of every message of the window']);
    expect((await homing(['--app', 'operated', 'endpoints', 'replay-missing', 'late', '--since', '30d'])).err[0]).toMatch(/^error: 422: since: /);

    expect((await homing(['--app', 'operated', 'messages', 'expunge', sent[0].id])).out).toEqual([`expunged the content of ${sent[0].id}`]);
    expect((await h.dispatcher.dataSource.getRepository(MessageEntity).findOneByOrFail({ id: sent[0].id })).payloadPurgedAt).not.toBeNull();
    expect((await homing(['--app', 'operated', 'messages', 'expunge', 'msg_nope'])).err).toEqual(['error: 404 not_found: message "msg_nope" not found']);

    const series = await json(['--app', 'operated', 'stats', 'attempts', '--since', '2h', '--period', 'hour']);
    expect(series).toMatchObject({ period: 'OneHour' });
    expect(series.data.successCount.reduce((a: number, b: number) => a + b, 0)).toBe(3);
    const table = await homing(['--app', 'operated', 'stats', 'attempts', '--since', '2h']);
    expect(table.out[0]).toMatch(/^PERIOD \(UTC\)\s+SUCCEEDED\s+FAILED\s+CANCELLED$/);
    expect(table.out[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:00\s+\d+\s+\d+\s+\d+$/);
    expect(table.out.at(-1)).toMatch(/^total\s+3\s+0\s+0$/);
    expect((await homing(['--app', 'operated', 'stats', 'attempts', '--period', 'week'])).code).toBe(1);

    const counts = await json(['stats', 'endpoints']);
    expect(counts).toEqual({ active: expect.any(Number), disabled: expect.any(Number) });
    expect((await homing(['stats', 'endpoints'])).out).toEqual([`${counts.active} enabled, ${counts.disabled} disabled`]);
  });

  it('points an endpoint at the listen inbox and prints its secret', async () => {
    await h.svix.application.create({ name: 'Local', uid: 'local' });
    const listener = capture();
    const running = homingAt(h.dispatcher.url, ['--app', 'local', 'listen', h.receiver.url('/relayed'), '--endpoint', 'dev'], listener);
    await vi.waitFor(() => expect(listener.err).toContain('connected; waiting for requests'), { timeout: 5_000 });
    const inboxUrl = listener.err[0].split(' ')[1];
    const endpoint = await h.svix.endpoint.get('local', 'dev');
    expect(endpoint.url).toBe(inboxUrl);
    const { key } = await h.svix.endpoint.getSecret('local', 'dev');
    expect(listener.err).toContain(`endpoint ${endpoint.id} (dev) delivers here; its receiver verifies with ${key}`);
    listener.stop.abort();
    expect((await running).code).toBe(0);
  });

  it('ends quietly with exit code 0 when its output pipe is closed (homing endpoints list | head -1)', async () => {
    await h.svix.application.create({ name: 'Many', uid: 'many' });
    // More output than a pipe holds, so the CLI is still writing when its reader goes away.
    for (let i = 0; i < 40; i += 1) await h.svix.endpoint.create('many', { url: h.receiver.url(`/${i}-${'x'.repeat(2000)}`) });
    const child = spawn(process.execPath, ['apps/cli/bin/homing.js', '--url', h.dispatcher.url, '--token', OPERATOR_TOKEN, '--app', 'many', 'endpoints', 'list'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let firstLine = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      firstLine ||= chunk.toString().split('\n')[0];
      child.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    expect(firstLine).toMatch(/^ID\s+UID\s+STATE/);
    expect(stderr).not.toMatch(/Error|EPIPE|\n\s+at /);
    expect(code).toBe(0);
  }, 90_000);
});

describe('homing CLI against a dispatcher that refuses loopback destinations (its defaults)', () => {
  const h = useDispatcher({ HOMING_ALLOWED_CIDRS: '' });

  beforeAll(async () => {
    await h.svix.application.create({ name: 'Dev', uid: 'dev' });
  });

  it('listen names the setting that lets the dispatcher deliver to its inbox', async () => {
    const listener = await homingAt(h.dispatcher.url, ['--app', 'dev', 'listen', h.receiver.url('/local'), '--endpoint', 'dev']);
    expect(listener.code).toBe(1);
    const inbox = listener.err[0].split(' ')[1];
    expect(listener.err.at(-1)!.split('\n')).toEqual([
      expect.stringMatching(/^error: 422: url: url is refused: 127\.0\.0\.1 is a loopback address/),
      'the dispatcher delivers only to public addresses unless told otherwise; to let it reach 127.0.0.1, restart it with HOMING_ALLOWED_CIDRS=127.0.0.0/8',
      "  e.g. HOMING_ALLOWED_CIDRS=127.0.0.0/8 npm start   (docker compose passes HOMING_ALLOWED_CIDRS through; keep any ranges you already allow, comma-separated)",
    ]);
    expect(inbox).toMatch(/\/relay\/rly_/);
    expect(await h.svix.endpoint.list('dev')).toMatchObject({ data: [] });
  });

  it('endpoints add names it too, for every address a host name has', async () => {
    const io = await homingAt(h.dispatcher.url, ['--app', 'dev', 'endpoints', 'add', 'http://localhost:4000/webhooks']);
    expect(io.code).toBe(1);
    expect(io.err[0]).toMatch(/^error: 422: url: url is refused: host "localhost" resolves to a forbidden address: /);
    expect(io.err[0]).toMatch(/to let it reach localhost, restart it with HOMING_ALLOWED_CIDRS=127\.0\.0\.0\/8(,::1\/128)?\n/);
    // A public address refused for another reason gets no such advice.
    const other = await homingAt(h.dispatcher.url, ['--app', 'dev', 'endpoints', 'add', 'ftp://example.com/']);
    expect(other.err).toHaveLength(1);
    expect(other.err[0]).not.toContain('HOMING_ALLOWED_CIDRS');
  });
});
