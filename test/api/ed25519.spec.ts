import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { Webhook } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import type { ReceivedRequest } from '../support/receiver.js';
import { deliveriesOf, OPERATOR_TOKEN, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

/** Svix's own test pair (server/svix-server/src/core/types/mod.rs): the 64-byte secret key and its public key. */
const SVIX_SECRET = 'whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==';
const SVIX_PUBLIC = 'whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=';

/**
 * The `v1a` signatures of a delivery that Node's own `crypto.verify` accepts with `publicKey`, over
 * `{id}.{timestamp}.{body}` as Standard Webhooks defines it: no Homing code on this side.
 */
function validV1a(publicKey: string, request: ReceivedRequest): string[] {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey.slice('whpk_'.length), 'base64').toString('base64url') }, format: 'jwk' });
  const content = Buffer.from(`${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`);
  return String(request.headers['webhook-signature'])
    .split(' ')
    .filter((signature) => signature.startsWith('v1a,') && verify(null, content, key, Buffer.from(signature.slice('v1a,'.length), 'base64')));
}

describe('ed25519 endpoints (Standard Webhooks v1a) through the svix SDK, HOMING_DEFAULT_SIGNATURE=ed25519', () => {
  const h = useDispatcher({ HOMING_DEFAULT_SIGNATURE: 'ed25519', HOMING_ENCRYPTION_KEY: randomBytes(32).toString('base64'), HOMING_RETRY_SCHEDULE: '1h' });

  async function delivered(msgId: string): Promise<ReceivedRequest> {
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, msgId)).toHaveLength(1), { timeout: 10_000, interval: 20 });
    return deliveriesOf(h.receiver, msgId)[0];
  }
  const send = async (appId: string, n: number) => delivered((await h.svix.message.create(appId, { eventType: 'order.completed', payload: { n } })).id);
  const storedSecret = async (endpointId: string): Promise<string> => (await h.dispatcher.dataSource.query('SELECT secret FROM homing_endpoints WHERE id = ?', [endpointId]))[0].secret;

  it('generates an asymmetric secret, kept encrypted, shows its public key, and signs v1a with it', async () => {
    const app = await h.svix.application.create({ name: 'Generated ed25519' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/generated') });
    const { key } = await h.svix.endpoint.getSecret(app.id, endpoint.id);
    expect(key).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(await storedSecret(endpoint.id)).toMatch(/^enc:v1:/);

    const request = await send(app.id, 1);
    expect(request.headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(request.headers['svix-signature']).toBe(request.headers['webhook-signature']);
    expect(validV1a(key, request)).toHaveLength(1);
    // The public key is no HMAC secret: a v1 verifier finds nothing it can check.
    expect(() => new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(request.body, request.headers as Record<string, string>)).toThrow();
  });

  it('signs with a whsk_ secret given at creation, and shows the public key Svix pairs with it', async () => {
    const app = await h.svix.application.create({ name: 'Given ed25519' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/given'), secret: SVIX_SECRET });
    expect((await h.svix.endpoint.getSecret(app.id, endpoint.id)).key).toBe(SVIX_PUBLIC);
    const stored = await storedSecret(endpoint.id);
    expect(stored).toMatch(/^enc:v1:/);
    expect(stored).not.toContain(SVIX_SECRET.slice('whsk_'.length, 40));
    expect(validV1a(SVIX_PUBLIC, await send(app.id, 2))).toHaveLength(1);
  });

  it('rotates: old and new keys both sign through the grace period, and a given whsk_ or whsec_ key takes over', async () => {
    const app = await h.svix.application.create({ name: 'Rotated ed25519' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/rotated') });
    const first = (await h.svix.endpoint.getSecret(app.id, endpoint.id)).key;

    await h.svix.endpoint.rotateSecret(app.id, endpoint.id, {});
    const second = (await h.svix.endpoint.getSecret(app.id, endpoint.id)).key;
    expect(second).toMatch(/^whpk_/);
    expect(second).not.toBe(first);
    const during = await send(app.id, 3);
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(validV1a(second, during)).toHaveLength(1);
    expect(validV1a(first, during)).toHaveLength(1);

    // A given whsk_ key without grace ends `second`; `first` keeps its own grace period.
    await h.svix.endpoint.rotateSecret(app.id, endpoint.id, { key: SVIX_SECRET, gracePeriodSeconds: 0 });
    expect((await h.svix.endpoint.getSecret(app.id, endpoint.id)).key).toBe(SVIX_PUBLIC);
    const after = await send(app.id, 4);
    expect(validV1a(SVIX_PUBLIC, after)).toHaveLength(1);
    expect(validV1a(first, after)).toHaveLength(1);
    expect(validV1a(second, after)).toHaveLength(0);

    // Back to HMAC with grace: one v1 and the v1a signatures of the keys still in their grace.
    const hmac = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
    await h.svix.endpoint.rotateSecret(app.id, endpoint.id, { key: hmac });
    expect((await h.svix.endpoint.getSecret(app.id, endpoint.id)).key).toBe(hmac);
    const mixed = await send(app.id, 5);
    expect(() => new Webhook(hmac).verify(mixed.body, mixed.headers as Record<string, string>)).not.toThrow();
    expect(validV1a(SVIX_PUBLIC, mixed)).toHaveLength(1);
  });

  it('refuses a whsk_ key whose halves do not pair, and a public key given as a secret, naming the field', async () => {
    const app = await h.svix.application.create({ name: 'Bad keys' });
    const unpaired = 'whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlaaaaaaaaaaAJ6p9lMicMFs6Kvg==';
    const [created] = await validationErrors(h.svix.endpoint.create(app.id, { url: h.receiver.url('/bad'), secret: unpaired }));
    expect(created).toMatchObject({ loc: ['body', 'secret'], msg: expect.stringContaining('64-byte ed25519 secret key') });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/bad') });
    const [rotated] = await validationErrors(h.svix.endpoint.rotateSecret(app.id, endpoint.id, { key: SVIX_PUBLIC }));
    expect(rotated.loc).toEqual(['body', 'key']);
  });

  it('gives an endpoint that signs the body with HMAC (Rye) a whsec_ secret, and refuses it a whsk_ one', async () => {
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${h.dispatcher.url}/api/v1/${path}`, { method, headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const app = await h.svix.application.create({ name: 'Rye under ed25519' });
    const rye = (await (await api('POST', `app/${app.id}/endpoint`, { url: h.receiver.url('/rye'), signatureScheme: { type: 'body-hmac' } })).json()) as { id: string };
    expect((await h.svix.endpoint.getSecret(app.id, rye.id)).key).toMatch(/^whsec_/);
    const refused = await api('POST', `app/${app.id}/endpoint`, { url: h.receiver.url('/rye'), signatureScheme: { type: 'body-hmac' }, secret: SVIX_SECRET });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain('body-HMAC');

    // Nor can an ed25519 endpoint be switched to body-HMAC afterwards: its receiver holds only the public key.
    const asymmetric = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/v1a') });
    const switched = await api('PATCH', `app/${app.id}/endpoint/${asymmetric.id}`, { signatureScheme: { type: 'body-hmac' } });
    expect(switched.status).toBe(422);
    expect(((await switched.json()) as { detail: { loc: string[]; msg: string }[] }).detail).toEqual([
      expect.objectContaining({ loc: ['body', 'signatureScheme'], msg: expect.stringContaining('body-HMAC') }),
    ]);
    expect((await h.svix.endpoint.getSecret(app.id, asymmetric.id)).key).toMatch(/^whpk_/);
  });
});
