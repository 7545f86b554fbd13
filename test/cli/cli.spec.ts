import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AttemptEntity } from '@homing/webhooks';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../apps/cli/src/cli.program.js';
import { OPERATOR_TOKEN, startDispatcherApp, type DispatcherTestApp } from '../support/dispatcher-app.js';
import { TestReceiver } from '../support/receiver.js';
import { createTestServices, type TestServices } from '../support/services.js';
import { capture, homingAt } from './cli-harness.js';

describe('homing CLI against a dispatcher', () => {
  let services: TestServices;
  let dispatcher: DispatcherTestApp;
  let receiver: TestReceiver;
  const homing = (args: string[], io = capture()) => homingAt(dispatcher.url, args, io);
  const attempts = (msgId: string) => dispatcher.dataSource.getRepository(AttemptEntity).find({ where: { msgId }, order: { createdAt: 'ASC' } });

  beforeAll(async () => {
    services = await createTestServices();
    // One quick retry, so a failing delivery ends failed within the test.
    dispatcher = await startDispatcherApp(services, { HOMING_RETRY_SCHEDULE: '20ms' });
    receiver = await TestReceiver.start();
    await dispatcher.svix.application.create({ name: 'CLI customer', uid: 'cli-app' });
  });

  afterAll(async () => {
    await dispatcher?.close();
    await receiver?.close();
    await services?.drop();
  });

  it('runs as the workspace bin: npx homing --help', async () => {
    const { stdout } = await promisify(execFile)('npx', ['homing', '--help'], { cwd: process.cwd(), timeout: 60_000 });
    expect(stdout).toMatch(/^Usage: homing \[options\] \[command\]/);
    for (const command of ['send', 'endpoints', 'applications', 'event-types', 'attempts', 'recover', 'listen', 'messages', 'stats']) expect(stdout).toContain(`  ${command} `);
  }, 60_000);

  it('adds, lists, disables and enables endpoints, in text and in JSON', async () => {
    const added = await homing(['--app', 'cli-app', 'endpoints', 'add', receiver.url('/cli'), '--uid', 'main', '--event-types', 'order.*,invoice.paid', '--throttle-rate', '20']);
    expect(added.code).toBe(0);
    expect(added.out[0]).toMatch(/^added ep_\w+ http:\/\/127\.0\.0\.1:\d+\/cli$/);
    expect(added.out[1]).toMatch(/^secret whsec_/);

    const listed = await homing(['--app', 'cli-app', '--json', 'endpoints', 'list']);
    expect(JSON.parse(listed.out.join('\n'))).toMatchObject([{ uid: 'main', url: receiver.url('/cli'), throttleRate: 20, eventTypes: ['order.*', 'invoice.paid'], disabled: false }]);
    const table = await homing(['--app', 'cli-app', 'endpoints', 'list']);
    expect(table.out[0]).toMatch(/^ID\s+UID\s+STATE\s+RATE\s+EVENT TYPES\s+URL$/);
    expect(table.out[1]).toMatch(/^ep_\w+\s+main\s+enabled\s+20\/s\s+order\.\*,invoice\.paid\s+http:/);

    expect((await homing(['--app', 'cli-app', 'endpoints', 'disable', 'main'])).out).toEqual([expect.stringMatching(/^disabled ep_\w+ /)]);
    expect((await homing(['--app', 'cli-app', '--json', 'endpoints', 'list'])).out.join('')).toContain('"disabled": true');
    expect((await homing(['--app', 'cli-app', 'endpoints', 'enable', 'main'])).out).toEqual([expect.stringMatching(/^enabled ep_\w+ /)]);
  });

  it('sends a message and shows its attempts', async () => {
    const sent = await homing(['--app', 'cli-app', '--json', 'send', 'order.completed', '{"type":"order.completed","id":"o_1"}', '--event-id', 'o-1']);
    expect(sent.code).toBe(0);
    const message = JSON.parse(sent.out.join('\n'));
    expect(message).toMatchObject({ eventType: 'order.completed', eventId: 'o-1' });
    await vi.waitFor(async () => expect(await attempts(message.id)).toHaveLength(1), { timeout: 10_000 });

    const shown = await homing(['--app', 'cli-app', 'attempts', 'o-1']);
    expect(shown.out[0]).toMatch(/^TIME\s+ENDPOINT\s+RESULT\s+HTTP\s+DURATION\s+TRIGGER$/);
    expect(shown.out[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+ep_\w+\s+success\s+200\s+\d+ ms\s+scheduled$/);
    const json = await homing(['--app', 'cli-app', '--json', 'attempts', message.id]);
    expect(JSON.parse(json.out.join('\n'))).toMatchObject([{ msgId: message.id, responseStatusCode: 200, statusText: 'success' }]);
  });

  it('reports bad input and API errors in one line with exit code 1', async () => {
    expect(await homing(['--app', 'cli-app', 'send', 'order.completed', '{not json'])).toMatchObject({ code: 1, err: ['error: payload is not valid JSON: {not json'] });
    expect(await homing(['--app', 'nope', 'endpoints', 'list'])).toMatchObject({ code: 1, err: ['error: 404 not_found: application "nope" not found'] });
    expect((await homing(['--app', 'cli-app', 'endpoints', 'add', 'not a url'])).err[0]).toMatch(/^error: 422: url: url must be an http or https URL/);
    expect((await homing(['--app', 'cli-app', 'recover', 'main', '--since', 'yesterday'])).err).toEqual([
      'error: --since: expected an ISO time or a duration like 30m, 2h, 3d; got "yesterday"',
    ]);
  });

  it('recovers failed deliveries with a progress bar and counts the outcome', async () => {
    await homing(['--app', 'cli-app', 'endpoints', 'add', receiver.url('/flaky'), '--uid', 'flaky']);
    receiver.answer((request, response) => void response.writeHead(request.path === '/flaky' ? 500 : 200).end());
    const sent = await Promise.all([1, 2, 3].map((n) => homing(['--app', 'cli-app', '--json', 'send', 'order.shipped', `{"n":${n}}`])));
    const ids = sent.map((result) => JSON.parse(result.out.join('\n')).id as string);
    await vi.waitFor(async () => {
      for (const id of ids) expect((await attempts(id)).filter((attempt) => attempt.url.endsWith('/flaky'))).toHaveLength(2);
    }, { timeout: 10_000 });
    // An attempt is recorded before its delivery ends: wait for the three to have failed for good.
    await vi.waitFor(async () => expect((await dispatcher.svix.endpoint.getStats('cli-app', 'flaky')).fail).toBe(3), { timeout: 10_000 });
    receiver.status(200);

    const recovered = await homing(['--app', 'cli-app', '--json', 'recover', 'flaky', '--since', '1h'], capture(true));
    expect(recovered.code).toBe(0);
    expect(JSON.parse(recovered.out.join('\n'))).toMatchObject({ finished: true, messagesSent: 3, succeeded: 3, failed: 0 });
    expect(recovered.status.at(-1)).toBe('[########################] 100%  3/3  attempted');
    for (const id of ids) expect((await attempts(id)).filter((attempt) => attempt.url.endsWith('/flaky')).map((attempt) => attempt.responseStatusCode)).toEqual([500, 500, 200]);
  });
});

describe('homing listen', () => {
  let services: TestServices;
  let dispatcher: DispatcherTestApp;
  let local: TestReceiver;

  beforeAll(async () => {
    services = await createTestServices();
    dispatcher = await startDispatcherApp(services, { HOMING_RETRY_SCHEDULE: '1h' });
    local = await TestReceiver.start();
  });

  afterAll(async () => {
    await dispatcher?.close();
    await local?.close();
    await services?.drop();
  });

  const history = async (inboxId: string) =>
    (await (await fetch(`${dispatcher.url}/api/v1/relay/${inboxId}/requests`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).json()) as {
      data: { id: string; path: string; body: string; response: { status: number } | null }[];
    };

  it('relays a real delivery to a loopback server, headers and body unchanged, and answers with its status', async () => {
    const listener = capture();
    const running = run(['node', 'homing', '--url', dispatcher.url, '--token', OPERATOR_TOKEN, 'listen', local.url('/webhooks')], listener.io);
    await vi.waitFor(() => expect(listener.err[0]).toMatch(/^relaying http:\/\/127\.0\.0\.1:\d+\/relay\/rly_[\w-]+ -> /), { timeout: 5_000 });
    const inboxUrl = listener.err[0].split(' ')[1];
    const inboxId = inboxUrl.split('/').at(-1)!;
    expect(listener.err[1]).toBe(`use this URL as an endpoint URL; keep it next time with --inbox ${inboxId}`);
    await vi.waitFor(() => expect(listener.err).toContain('connected; waiting for requests'));

    const app = await dispatcher.svix.application.create({ name: 'Relayed' });
    const endpoint = await dispatcher.svix.endpoint.create(app.id, { url: inboxUrl });
    const { key: secret } = await dispatcher.svix.endpoint.getSecret(app.id, endpoint.id);
    const payload = { type: 'order.completed', data: { id: 'o_7', customer: 'Zoë' } };
    const message = await dispatcher.svix.message.create(app.id, { eventType: 'order.completed', payload });

    await vi.waitFor(() => expect(local.on('/webhooks')).toHaveLength(1), { timeout: 10_000 });
    const [relayed] = local.on('/webhooks');
    expect(relayed.body).toBe(JSON.stringify(payload));
    expect(relayed.headers['webhook-id']).toBe(message.id);
    expect(() => new Webhook(secret).verify(relayed.body, relayed.headers as Record<string, string>)).not.toThrow();
    expect(relayed.headers['user-agent']).toBe('Homing-Webhooks/0.1');

    await vi.waitFor(async () => expect((await dispatcher.dataSource.getRepository(AttemptEntity).findBy({ msgId: message.id })).map((a) => a.responseStatusCode)).toEqual([200]), {
      timeout: 10_000,
    });
    await vi.waitFor(() => expect(listener.out).toHaveLength(1));
    expect(listener.out[0]).toMatch(/^\d\d:\d\d:\d\d  order\.completed\s+200  \d+ ms$/);

    // The local server's answer is the delivery's outcome; paths under the inbox URL keep their tail.
    local.status(500, 'boom');
    const post = await fetch(`${inboxUrl}/sub/path?x=1`, { method: 'POST', body: '{"type":"ping"}', headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(500);
    expect(await post.text()).toBe('boom');
    expect(local.on('/webhooks/sub/path?x=1')).toHaveLength(1);

    const kept = await history(inboxId);
    expect(kept.data.map((record) => [record.path, record.response?.status])).toEqual([
      ['/sub/path?x=1', 500],
      ['/', 200],
    ]);
    expect(kept.data[1].body).toBe(JSON.stringify(payload));

    listener.stop.abort();
    expect(await running).toBe(0);
    // Nobody listening: the sender gets a 503 saying so, and the request is still kept.
    const unheard = await fetch(inboxUrl, { method: 'POST', body: '{}' });
    expect(unheard.status).toBe(503);
    expect(await unheard.json()).toMatchObject({ code: 'relay_unavailable', detail: expect.stringContaining('no homing listen is connected') });
    expect((await history(inboxId)).data).toHaveLength(3);
  });

  it('relays what reaches another dispatcher replica, through Redis', async () => {
    const other = await startDispatcherApp(services, { HOMING_RETRY_SCHEDULE: '1h' });
    let closed = false;
    try {
      const listener = capture();
      const running = run(['node', 'homing', '--url', dispatcher.url, '--token', OPERATOR_TOKEN, 'listen', local.url('/replica')], listener.io);
      await vi.waitFor(() => expect(listener.err).toContain('connected; waiting for requests'), { timeout: 5_000 });
      const inboxId = listener.err[0].split(' ')[1].split('/').at(-1)!;
      local.status(202, 'taken');

      const response = await fetch(`${other.url}/relay/${inboxId}`, { method: 'POST', body: '{"type":"via.other"}', headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(202);
      expect(await response.text()).toBe('taken');
      expect(local.on('/replica').map((request) => request.body)).toEqual(['{"type":"via.other"}']);

      // A replica shutting down ends its streams (its HTTP server can close); the listener reconnects.
      const elsewhere = capture();
      const second = run(['node', 'homing', '--url', other.url, '--token', OPERATOR_TOKEN, 'listen', local.url('/replica'), '--inbox', inboxId], elsewhere.io);
      await vi.waitFor(() => expect(elsewhere.err).toContain('connected; waiting for requests'), { timeout: 5_000 });
      const closing = Date.now();
      await other.close();
      closed = true;
      expect(Date.now() - closing).toBeLessThan(5_000);
      await vi.waitFor(() => expect(elsewhere.err.some((line) => /^(the dispatcher closed the stream|disconnected)/.test(line))).toBe(true));
      elsewhere.stop.abort();
      listener.stop.abort();
      expect(await Promise.all([running, second])).toEqual([0, 0]);
    } finally {
      if (!closed) await other.close();
    }
  });

  it('answers 502 with the reason when the local server is down, and 404 for an unknown inbox', async () => {
    const listener = capture(false);
    const running = run(['node', 'homing', '--url', dispatcher.url, '--token', OPERATOR_TOKEN, '--json', 'listen', 'http://127.0.0.1:1/nothing'], listener.io);
    await vi.waitFor(() => expect(listener.err[0]).toMatch(/^relaying /), { timeout: 5_000 });
    const inboxUrl = listener.err[0].split(' ')[1];
    await vi.waitFor(() => expect(listener.err).toContain('connected; waiting for requests'));

    const response = await fetch(inboxUrl, { method: 'POST', body: '{"type":"x.y"}' });
    expect(response.status).toBe(502);
    await vi.waitFor(() => expect(listener.out).toHaveLength(1));
    expect(JSON.parse(listener.out[0])).toMatchObject({ type: 'x.y', status: 502, error: 'ECONNREFUSED' });
    listener.stop.abort();
    await running;

    const unknown = capture();
    expect(await run(['node', 'homing', '--url', dispatcher.url, '--token', OPERATOR_TOKEN, 'listen', local.url('/'), '--inbox', 'rly_nope'], unknown.io)).toBe(1);
    expect(unknown.err).toEqual(['error: 404 not_found: relay inbox "rly_nope" not found (create one with POST /api/v1/relay)']);
    expect((await fetch(`${dispatcher.url}/relay/rly_nope`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
