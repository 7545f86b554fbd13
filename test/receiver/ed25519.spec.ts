import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { AttemptEntity, WebhookController, WebhookHandler, WebhooksModule, type WebhookContext } from '@homing/webhooks';
import { generateSecret } from '@homing/webhooks/internal';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextId, post, type ReceiverTestApp, startReceiverApp, svixHeaders } from '../support/receiver-app.js';
import { createTestServices, type TestServices } from '../support/services.js';
import { startWebhooksApp, type WebhooksTestApp } from '../support/webhooks-app.js';

const received: { payload: unknown; ctx: WebhookContext }[] = [];

@WebhookController('webhooks/v1a')
class AsymmetricWebhooks {
  @WebhookHandler('order.*')
  order(payload: unknown, ctx: WebhookContext) {
    received.push({ payload, ctx });
  }
}

/** A key pair made by Node alone, so the receiver is checked against signatures the library did not make. */
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { publicKey: `whpk_${raw.toString('base64')}`, sign: (content: string) => `v1a,${sign(null, Buffer.from(content), privateKey).toString('base64')}` };
}

/** `webhook-*` headers carrying a v1a signature by each of `signers`, of `{id}.{timestamp}.{body}` as the spec says. */
function v1aHeaders(signers: ReturnType<typeof keyPair>[], body: string, id = nextId(), at = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signers.map((signer) => signer.sign(`${id}.${at}.${body}`)).join(' ') };
}

const body = (type: string) => JSON.stringify({ type, data: { id: 7, name: 'Zoë' } });

describe('receiving v1a (ed25519) deliveries with whpk_ public keys', () => {
  const [oldPair, newPair, stranger] = [keyPair(), keyPair(), keyPair()];
  const shared = generateSecret();
  let receiver: ReceiverTestApp;

  beforeAll(async () => {
    // Two public keys during a rotation, beside a shared secret: a receiver may hold both kinds.
    receiver = await startReceiverApp({ imports: [WebhooksModule.forReceiver({ secret: [oldPair.publicKey, newPair.publicKey, shared] })], controllers: [AsymmetricWebhooks] });
  });
  afterAll(() => receiver?.close());
  beforeEach(() => {
    received.length = 0;
  });

  it('accepts a v1a signature by either key of a rotation, and v1 by the shared secret', async () => {
    const raw = body('order.completed');
    for (const pair of [newPair, oldPair]) {
      const id = nextId();
      expect((await post(receiver.url('webhooks/v1a'), raw, v1aHeaders([pair], raw, id))).json).toEqual({ id, type: 'order.completed', handled: 1 });
    }
    expect((await post(receiver.url('webhooks/v1a'), raw, svixHeaders(shared, raw))).status).toBe(200);
    expect(received).toHaveLength(3);
    expect(received[0].payload).toEqual(JSON.parse(raw));
  });

  it('passes when one of several signatures is by a configured key', async () => {
    const raw = body('order.shipped');
    expect((await post(receiver.url('webhooks/v1a'), raw, v1aHeaders([stranger, oldPair], raw))).status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('refuses a signature by another key, and a tampered body, with 401', async () => {
    const raw = body('order.completed');
    const wrongKey = await post(receiver.url('webhooks/v1a'), raw, v1aHeaders([stranger], raw));
    const tampered = await post(receiver.url('webhooks/v1a'), raw.replace('7', '8'), v1aHeaders([newPair], raw));
    for (const result of [wrongKey, tampered]) expect(result).toMatchObject({ status: 401, json: { message: 'no valid signature' } });
    expect(received).toHaveLength(0);
  });

  it('stops at boot on a private key (whsk_) given to a receiver, saying what it takes', () => {
    expect(() => WebhooksModule.forReceiver({ secret: [newPair.publicKey, generateSecret('ed25519')] })).toThrow(
      /^forReceiver: secret #2 is not a Standard Webhooks secret \(.*whpk_ and the base64 of a 32-byte ed25519 public key\)$/,
    );
  });
});

describe('whole loop: WebhooksModule with defaultSignature ed25519 delivers v1a to the receiving kit', () => {
  let services: TestServices;
  let homing: WebhooksTestApp;
  let receiver: ReceiverTestApp;
  // The receiver verifies with whatever the sender shows the customer, looked up per request.
  let keys: string[] = [];

  beforeAll(async () => {
    services = await createTestServices();
    homing = await startWebhooksApp(services, { defaultSignature: 'ed25519', encryptionKey: randomBytes(32).toString('base64'), retrySchedule: '1h' });
    receiver = await startReceiverApp({ imports: [WebhooksModule.forReceiver({ secret: () => keys })], controllers: [AsymmetricWebhooks] });
  });
  afterAll(async () => {
    await homing?.close();
    await receiver?.close();
    await services?.drop();
  });

  const attemptsOf = (msgId: string) => homing.dataSource.getRepository(AttemptEntity).find({ where: { msgId }, order: { createdAt: 'ASC' } });

  it('generates a whsk_ secret, keeps it sealed, shows the whpk_ key, and the receiver accepts what it signs', async () => {
    const app = await homing.applications.create({ name: 'Asymmetric' });
    const endpoint = await homing.endpoints.create(app.id, { url: receiver.url('webhooks/v1a') });
    expect(endpoint.secret).toMatch(/^whsk_/);
    const key = await homing.endpoints.getSecret(app.id, endpoint.id);
    expect(key).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const [row] = await homing.dataSource.query('SELECT secret FROM homing_endpoints WHERE id = ?', [endpoint.id]);
    expect(row.secret).toMatch(/^enc:v1:/);
    expect(row.secret).not.toContain(endpoint.secret.slice('whsk_'.length, 40));

    keys = [key];
    const message = await homing.producer.send(app.id, { eventType: 'order.completed', payload: { type: 'order.completed', data: { id: 1 } } });
    await vi.waitFor(async () => expect((await attemptsOf(message.id)).map((attempt) => attempt.responseStatusCode)).toEqual([200]), { timeout: 10_000 });

    // Another key, as a receiver holding the wrong one would: the delivery is refused.
    keys = [keyPair().publicKey];
    const refused = await homing.producer.send(app.id, { eventType: 'order.completed', payload: { type: 'order.completed' } });
    await vi.waitFor(async () => expect((await attemptsOf(refused.id)).map((attempt) => attempt.responseStatusCode)).toEqual([401]), { timeout: 10_000 });
  });
});
