import { randomBytes } from 'node:crypto';
import { Webhook } from 'svix';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TestReceiver } from '../support/receiver.js';
import { createTestServices, type TestServices } from '../support/services.js';
import { startWebhooksApp, type WebhooksTestApp } from '../support/webhooks-app.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** The part of a secret that is its key material: what must not show in a dump or a log. */
const keyMaterial = (secret: string) => secret.replace(/^whsec_/, '');

describe('endpoint secrets encrypted at rest', () => {
  const key = randomBytes(32).toString('base64');
  let services: TestServices;
  let receiver: TestReceiver;
  let homing: WebhooksTestApp;
  let output: string[];

  beforeAll(async () => {
    services = await createTestServices();
    receiver = await TestReceiver.start();
    homing = await startWebhooksApp(services, { encryptionKey: key });
  });

  afterAll(async () => {
    await homing?.close();
    await receiver?.close();
    await services?.drop();
  });

  // Everything the process logs while a test runs, to show that no secret is among it.
  beforeEach(() => {
    output = [];
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
      vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
        output.push(String(chunk));
        return write(chunk, ...rest);
      }) as typeof stream.write);
    }
  });
  afterEach(() => vi.restoreAllMocks());

  async function storedRow(endpointId: string): Promise<{ secret: string; previousSecrets: string | null }> {
    const [row] = await homing.dataSource.query('SELECT secret, previousSecrets FROM homing_endpoints WHERE id = ?', [endpointId]);
    return row;
  }

  it('stores no secret in the endpoint row, yet signs deliveries that svix verifies', async () => {
    const app = await homing.applications.create({ name: 'Encrypted' });
    const endpoint = await homing.endpoints.create(app.id, { url: receiver.url('/encrypted'), secret: SECRET });
    const generated = await homing.endpoints.create(app.id, { url: receiver.url('/generated') });

    for (const [id, secret] of [[endpoint.id, SECRET], [generated.id, generated.secret]]) {
      const row = await storedRow(id);
      expect(row.secret).toMatch(/^enc:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
      const dump = JSON.stringify(await homing.dataSource.query('SELECT * FROM homing_endpoints WHERE id = ?', [id]));
      expect(dump).not.toContain(keyMaterial(secret));
    }
    expect(await homing.endpoints.getSecret(app.id, endpoint.id)).toBe(SECRET);
    expect((await homing.endpoints.list(app.id)).map((e) => e.secret).sort()).toEqual([SECRET, generated.secret].sort());

    await homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 1 } });
    await vi.waitFor(() => expect(receiver.on('/encrypted')).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(receiver.on('/generated')).toHaveLength(1), { timeout: 10_000 });
    const [request] = receiver.on('/encrypted');
    expect(() => new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    const [other] = receiver.on('/generated');
    expect(() => new Webhook(generated.secret).verify(other.body, other.headers as Record<string, string>)).not.toThrow();

    expect(output.join('')).not.toContain(keyMaterial(SECRET));
    expect(output.join('')).not.toContain(keyMaterial(generated.secret));
  });

  it('encrypts the secrets a rotation keeps signing, and both still verify', async () => {
    const app = await homing.applications.create({ name: 'Rotated' });
    const endpoint = await homing.endpoints.create(app.id, { url: receiver.url('/rotated'), secret: SECRET });
    const rotated = await homing.endpoints.rotateSecret(app.id, endpoint.id);

    const row = await storedRow(endpoint.id);
    expect(row.secret).toMatch(/^enc:v1:/);
    const previous = typeof row.previousSecrets === 'string' ? JSON.parse(row.previousSecrets) : row.previousSecrets;
    expect(previous).toEqual([{ secret: expect.stringMatching(/^enc:v1:/), expiresAt: expect.any(String) }]);
    expect(JSON.stringify(row)).not.toContain(keyMaterial(SECRET));
    expect(JSON.stringify(row)).not.toContain(keyMaterial(rotated.secret));
    expect((await homing.endpoints.get(app.id, endpoint.id)).previousSecrets).toEqual([{ secret: SECRET, expiresAt: previous[0].expiresAt }]);

    await homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 2 } });
    await vi.waitFor(() => expect(receiver.on('/rotated')).toHaveLength(1), { timeout: 10_000 });
    const [request] = receiver.on('/rotated');
    for (const secret of [SECRET, rotated.secret]) {
      expect(() => new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    }
    expect(output.join('')).not.toContain(keyMaterial(rotated.secret));
  });

  it('keeps an update from writing the secret back in plaintext', async () => {
    const app = await homing.applications.create({ name: 'Updated' });
    const endpoint = await homing.endpoints.create(app.id, { url: receiver.url('/updated'), secret: SECRET });
    await homing.endpoints.update(app.id, endpoint.id, { description: 'renamed' });
    expect((await storedRow(endpoint.id)).secret).toMatch(/^enc:v1:/);
    expect(await homing.endpoints.getSecret(app.id, endpoint.id)).toBe(SECRET);
  });

  it('reads secrets stored before encryption was turned on, and encrypts them on the next write', async () => {
    const plain = await startWebhooksApp(services, { worker: false });
    try {
      const app = await plain.applications.create({ name: 'Before the key' });
      const endpoint = await plain.endpoints.create(app.id, { url: receiver.url('/before'), secret: SECRET });
      expect((await storedRow(endpoint.id)).secret).toBe(SECRET);

      expect(await homing.endpoints.getSecret(app.id, endpoint.id)).toBe(SECRET);
      await homing.endpoints.update(app.id, endpoint.id, { description: 'touched' });
      expect((await storedRow(endpoint.id)).secret).toMatch(/^enc:v1:/);

      await homing.producer.send(app.id, { eventType: 'order.completed', payload: { id: 3 } });
      await vi.waitFor(() => expect(receiver.on('/before')).toHaveLength(1), { timeout: 10_000 });
      const [request] = receiver.on('/before');
      expect(() => new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    } finally {
      await plain.close();
    }
  });

  it('refuses to read secrets with another key, saying why and not what', async () => {
    const app = await homing.applications.create({ name: 'Other key' });
    const endpoint = await homing.endpoints.create(app.id, { url: receiver.url('/other-key'), secret: SECRET, disabled: true });
    const wrong = await startWebhooksApp(services, { worker: false, encryptionKey: randomBytes(32).toString('hex') });
    try {
      const error = await wrong.endpoints.getSecret(app.id, endpoint.id).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/cannot be decrypted: it was encrypted with another key \(encryptionKey \/ HOMING_ENCRYPTION_KEY\)/);
      expect((error as Error).message).not.toContain(keyMaterial(SECRET));
    } finally {
      await wrong.close();
    }
  });

  it('stops at start on a key that is not 32 bytes, naming the option', async () => {
    await expect(startWebhooksApp(services, { worker: false, encryptionKey: 'too-short' })).rejects.toThrow(/^encryptionKey: expected 32 bytes/);
  });
});
