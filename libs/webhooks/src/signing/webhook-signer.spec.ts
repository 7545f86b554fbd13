import { createPublicKey, verify } from 'node:crypto';
import { Webhook } from 'svix';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { customerKey, generateSecret, isValidSecret } from './webhook-secret.js';
import { signatureHeaders, signPayload } from './webhook-signer.js';

describe('signPayload', () => {
  it('reproduces the Standard Webhooks known-answer vector', () => {
    const signature = signPayload(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('signatureHeaders', () => {
  const body = '{"type":"order.completed","data":{"id":7}}';
  const now = Math.floor(Date.now() / 1000);

  it('produces headers the svix and standardwebhooks packages verify, under both names', () => {
    const secret = generateSecret();
    const headers = signatureHeaders([secret], 'msg_1', now, body);
    expect(headers['webhook-signature']).toBe(headers['svix-signature']);
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(
      new StandardWebhook(secret).verify(body, {
        'webhook-id': headers['webhook-id'],
        'webhook-timestamp': headers['webhook-timestamp'],
        'webhook-signature': headers['webhook-signature'],
      }),
    ).toEqual(JSON.parse(body));
  });

  it('signs with every secret during a rotation, so either verifies', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const headers = signatureHeaders([newSecret, oldSecret], 'msg_2', now, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
  });
});

describe('secrets', () => {
  it('generates whsec_ secrets of 24 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(isValidSecret(secret)).toBe(true);
    expect(generateSecret()).not.toBe(secret);
  });

  it('refuses secrets that are not base64 keys of 24 to 64 bytes', () => {
    expect(isValidSecret('whsec_short')).toBe(false);
    expect(isValidSecret('not base64 at all, really not base64!!')).toBe(false);
    expect(isValidSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(true);
  });
});

/** Makes a raw 32-byte ed25519 public key an SPKI one (RFC 8410), for Node to verify with. */
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

describe('signatureHeaders with ed25519 secrets', () => {
  const body = '{"type":"order.completed","data":{"id":7}}';
  const now = Math.floor(Date.now() / 1000);
  const nodeVerifies = (secret: string, signature: string) =>
    verify(null, Buffer.from(`msg_3.${now}.${body}`), createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(customerKey(secret).slice('whpk_'.length), 'base64')]), format: 'der', type: 'spki' }), Buffer.from(signature.slice('v1a,'.length), 'base64'));

  it('signs with each secret by its own scheme, so a rotation from HMAC to ed25519 carries both', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret('ed25519')];
    const headers = signatureHeaders([newSecret, oldSecret], 'msg_3', now, body);
    const [v1a, v1] = headers['webhook-signature'].split(' ');
    expect(v1a).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(nodeVerifies(newSecret, v1a)).toBe(true);
    expect(v1).toMatch(/^v1,/);
    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
  });

  it('signs with every ed25519 key during a rotation, each verifying with its own public key', () => {
    const [oldSecret, newSecret] = [generateSecret('ed25519'), generateSecret('ed25519')];
    const [first, second] = signatureHeaders([newSecret, oldSecret], 'msg_3', now, body)['webhook-signature'].split(' ');
    expect(nodeVerifies(newSecret, first)).toBe(true);
    expect(nodeVerifies(oldSecret, second)).toBe(true);
    expect(nodeVerifies(oldSecret, first)).toBe(false);
  });
});
