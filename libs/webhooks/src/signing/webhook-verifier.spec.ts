import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { customerKey, generateSecret } from './webhook-secret.js';
import { bodyHmac, signatureHeaders } from './webhook-signer.js';
import { constantTimeEqual, verifyBodyHmac, verifyStandardWebhook, WebhookVerificationError } from './webhook-verifier.js';

const body = '{"type":"order.completed","data":{"id":7,"name":"Zoë"}}';
const tolerance = { toleranceMs: 5 * 60_000 };

function standardHeaders(secret: string, id: string, at: Date, payload = body): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new StandardWebhook(secret).sign(id, at, payload) };
}

describe('verifyStandardWebhook', () => {
  it('accepts what the standardwebhooks package signs, and returns the id and timestamp', () => {
    const secret = generateSecret();
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    expect(verifyStandardWebhook([secret], standardHeaders(secret, 'msg_1', at), Buffer.from(body), tolerance)).toEqual({ id: 'msg_1', timestamp: at });
  });

  it('accepts svix-* headers from the svix package, and a secret without its whsec_ prefix', () => {
    const secret = generateSecret();
    const now = new Date();
    const headers = { 'svix-id': 'msg_2', 'svix-timestamp': String(Math.floor(now.getTime() / 1000)), 'svix-signature': new Webhook(secret).sign('msg_2', now, body) };
    expect(verifyStandardWebhook([secret.slice('whsec_'.length)], headers, body, tolerance).id).toBe('msg_2');
  });

  it('passes when any one of several signatures matches any one of several secrets', () => {
    const [current, next, stranger] = [generateSecret(), generateSecret(), generateSecret()];
    const headers = standardHeaders(stranger, 'msg_3', new Date());
    headers['webhook-signature'] = `v1a,ignored ${headers['webhook-signature']} ${new StandardWebhook(next).sign('msg_3', new Date(), body)}`;
    expect(() => verifyStandardWebhook([current, next], headers, body, tolerance)).not.toThrow();
    expect(() => verifyStandardWebhook([current], headers, body, tolerance)).toThrow('no valid signature');
  });

  it('refuses a changed body, a changed id and a wrong secret', () => {
    const secret = generateSecret();
    const headers = standardHeaders(secret, 'msg_4', new Date());
    expect(() => verifyStandardWebhook([secret], headers, body.replace('7', '8'), tolerance)).toThrow('no valid signature');
    expect(() => verifyStandardWebhook([secret], { ...headers, 'webhook-id': 'msg_5' }, body, tolerance)).toThrow('no valid signature');
    expect(() => verifyStandardWebhook([generateSecret()], headers, body, tolerance)).toThrow(WebhookVerificationError);
  });

  it('refuses timestamps outside the tolerance either way, and malformed ones', () => {
    const secret = generateSecret();
    const now = Date.now();
    const at = (offsetMs: number) => standardHeaders(secret, 'msg_6', new Date(now + offsetMs));
    expect(() => verifyStandardWebhook([secret], at(-4 * 60_000), body, { ...tolerance, now })).not.toThrow();
    expect(() => verifyStandardWebhook([secret], at(-6 * 60_000), body, { ...tolerance, now })).toThrow('timestamp too old');
    expect(() => verifyStandardWebhook([secret], at(6 * 60_000), body, { ...tolerance, now })).toThrow('timestamp in the future');
    expect(() => verifyStandardWebhook([secret], at(-20_000), body, { toleranceMs: 10_000, now })).toThrow('timestamp too old');
    expect(() => verifyStandardWebhook([secret], { ...at(0), 'webhook-timestamp': '12.5' }, body, tolerance)).toThrow('invalid webhook-timestamp header');
  });

  it('names the first missing header', () => {
    const secret = generateSecret();
    const { 'webhook-id': _id, ...withoutId } = standardHeaders(secret, 'msg_7', new Date());
    expect(() => verifyStandardWebhook([secret], withoutId, body, tolerance)).toThrow('missing webhook-id header');
    expect(() => verifyStandardWebhook([secret], {}, body, tolerance)).toThrow('missing webhook-id header');
    expect(() => verifyStandardWebhook([secret], { 'svix-id': 'msg_7', 'svix-timestamp': '1' }, body, tolerance)).toThrow('missing svix-signature header');
  });
});

describe('verifyBodyHmac (Rye)', () => {
  const rye = '{"id":"evt_1","type":"ORDER_PLACED"}';
  // From `openssl dgst -sha256 -hmac rye-secret-key -binary | base64`.
  const signature = 'Nj/ryJnedZtHHmssRu7881zvqrICLDdy4lzo33Qzr0c=';

  it('reproduces a vector computed with openssl', () => {
    expect(bodyHmac('rye-secret-key', rye)).toBe(signature);
  });

  it('checks the configured header against every secret', () => {
    const headers = { 'rye-hmac-signature-v1': signature };
    expect(() => verifyBodyHmac(['old-key', 'rye-secret-key'], headers, 'Rye-Hmac-Signature-V1', Buffer.from(rye))).not.toThrow();
    expect(() => verifyBodyHmac(['old-key'], headers, 'Rye-Hmac-Signature-V1', rye)).toThrow('no valid signature');
    expect(() => verifyBodyHmac(['rye-secret-key'], headers, 'Rye-Hmac-Signature-V1', rye.replace('1', '2'))).toThrow('no valid signature');
    expect(() => verifyBodyHmac(['rye-secret-key'], {}, 'Rye-Hmac-Signature-V1', rye)).toThrow('missing rye-hmac-signature-v1 header');
  });
});

describe('constantTimeEqual', () => {
  it('compares strings of any length without throwing', () => {
    expect(constantTimeEqual('v1,abc', 'v1,abc')).toBe(true);
    expect(constantTimeEqual('v1,abc', 'v1,abd')).toBe(false);
    expect(constantTimeEqual('v1,abc', 'v1,ab')).toBe(false);
  });
});

describe('verifyStandardWebhook with ed25519 public keys (v1a)', () => {
  const at = () => new Date(Math.floor(Date.now() / 1000) * 1000);
  const signed = (secrets: string[], id: string, when: Date, payload = body) => ({
    'webhook-id': id,
    'webhook-timestamp': String(when.getTime() / 1000),
    'webhook-signature': signatureHeaders(secrets, id, when.getTime() / 1000, payload)['webhook-signature'],
  });

  it('accepts a v1a signature with the whpk_ key of the secret that made it', () => {
    const secret = generateSecret('ed25519');
    const when = at();
    expect(verifyStandardWebhook([customerKey(secret)], signed([secret], 'msg_a1', when), Buffer.from(body), tolerance)).toEqual({ id: 'msg_a1', timestamp: when });
  });

  it('accepts any of several keys during a rotation, public keys and shared secrets mixed', () => {
    const [oldHmac, newEd] = [generateSecret(), generateSecret('ed25519')];
    const headers = signed([newEd, oldHmac], 'msg_a2', at());
    expect(() => verifyStandardWebhook([customerKey(newEd)], headers, body, tolerance)).not.toThrow();
    expect(() => verifyStandardWebhook([oldHmac], headers, body, tolerance)).not.toThrow();
    expect(() => verifyStandardWebhook([customerKey(generateSecret('ed25519')), customerKey(newEd)], headers, body, tolerance)).not.toThrow();
  });

  it('refuses a wrong public key, a changed body, and a v1a signature offered to a shared secret', () => {
    const secret = generateSecret('ed25519');
    const headers = signed([secret], 'msg_a3', at());
    expect(() => verifyStandardWebhook([customerKey(generateSecret('ed25519'))], headers, body, tolerance)).toThrow('no valid signature');
    expect(() => verifyStandardWebhook([customerKey(secret)], headers, body.replace('7', '8'), tolerance)).toThrow('no valid signature');
    expect(() => verifyStandardWebhook([generateSecret()], headers, body, tolerance)).toThrow('no valid signature');
    expect(() => verifyStandardWebhook([customerKey(secret)], { ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1a,', 'v1,') }, body, tolerance)).toThrow('no valid signature');
  });
});
