import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload } from '../webhook-signer.js';
import { ed25519Scheme } from './ed25519.scheme.js';

/** Node's own check of a `v1a,` signature against a raw public key, by a path (JWK) the scheme does not use. */
function nodeVerifies(publicKey: string, content: string, signature: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey.replace(/^whpk_/, ''), 'base64').toString('base64url') }, format: 'jwk' });
  return verify(null, Buffer.from(content), key, Buffer.from(signature.replace(/^v1a,/, ''), 'base64'));
}

const whsk = (seedHex: string, publicHex: string) => `whsk_${Buffer.from(seedHex + publicHex, 'hex').toString('base64')}`;

describe('ed25519 scheme (Standard Webhooks v1a)', () => {
  it('reproduces the Svix server\'s vector, the v1a signature in the spec\'s example header', () => {
    // server/svix-server/src/worker.rs test_asymmetric_key_signing; spec/standard-webhooks.md "webhook-signature: v1,… v1a,hnO3…".
    const secret = 'whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==';
    const signature = signPayload(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(signature).toBe('v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==');
    // The public key Svix's own test pairs with that secret.
    expect(ed25519Scheme.customerKey(secret)).toBe('whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=');
    expect(nodeVerifies(ed25519Scheme.customerKey(secret), 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}', signature)).toBe(true);
  });

  it('signs as RFC 8032 says (test 2: one byte, 0x72)', () => {
    const secret = whsk('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
    const expected = '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';
    expect(ed25519Scheme.sign(secret, Buffer.from([0x72]))).toBe(`v1a,${Buffer.from(expected, 'hex').toString('base64')}`);
  });

  it('gives a fixed answer for a fixed seed, id, timestamp and body, which Node verifies', () => {
    // Seed 00 01 … 1f; its public key 03a107bf… is the one every ed25519 library derives from it.
    const secret = whsk('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8');
    expect(secret).toBe('whsk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA==');
    const body = '{"type":"order.completed","data":{"id":7,"name":"Zoë"}}';
    const signature = signPayload(secret, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', 1767225600, body);
    expect(signature).toBe('v1a,Md//IzpJqAOjm+fzAAu8gFh+R5ad1rbpe3hcpPUsHSO+M/0dsnlzvvaAc7878Wyl/7ZvY3ga7RIcwRwq2p+BBA==');
    expect(ed25519Scheme.customerKey(secret)).toBe('whpk_A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=');
    expect(nodeVerifies('whpk_A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=', `msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.1767225600.${body}`, signature)).toBe(true);
    // The body is signed as UTF-8 bytes: a received Buffer gives the same signature.
    expect(signPayload(secret, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', 1767225600, Buffer.from(body))).toBe(signature);
  });

  it('generates whsk_ secrets of a seed and its own public key, a new one each time', () => {
    const secret = ed25519Scheme.generate();
    expect(secret).toMatch(/^whsk_[A-Za-z0-9+/]{86}==$/);
    expect(ed25519Scheme.isValid(secret)).toBe(true);
    expect(ed25519Scheme.customerKey(secret)).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(ed25519Scheme.generate()).not.toBe(secret);
    const signature = ed25519Scheme.sign(secret, 'msg_1.1.{}');
    expect(nodeVerifies(ed25519Scheme.customerKey(secret), 'msg_1.1.{}', signature)).toBe(true);
  });

  it('refuses a secret whose public half is not its seed\'s, of another length, or of another scheme', () => {
    // Svix's test of a key pair that does not sign: the public half altered.
    expect(ed25519Scheme.isValid('whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlaaaaaaaaaaAJ6p9lMicMFs6Kvg==')).toBe(false);
    expect(ed25519Scheme.isValid('whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kv')).toBe(false);
    expect(ed25519Scheme.isValid('whsk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=')).toBe(false);
    expect(ed25519Scheme.isValid('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(false);
    expect(ed25519Scheme.isValidKey('whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=')).toBe(true);
    expect(ed25519Scheme.isValidKey('whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4')).toBe(false);
  });

  it('verifies with the public key only what that key\'s secret signed over that content', () => {
    const secret = ed25519Scheme.generate();
    const key = ed25519Scheme.customerKey(secret);
    const signature = ed25519Scheme.sign(secret, 'msg_1.1.{"a":1}');
    expect(ed25519Scheme.verify(key, 'msg_1.1.{"a":1}', signature)).toBe(true);
    expect(ed25519Scheme.verify(key, Buffer.from('msg_1.1.{"a":1}'), signature)).toBe(true);
    expect(ed25519Scheme.verify(key, 'msg_1.1.{"a":2}', signature)).toBe(false);
    expect(ed25519Scheme.verify(ed25519Scheme.customerKey(ed25519Scheme.generate()), 'msg_1.1.{"a":1}', signature)).toBe(false);
    expect(ed25519Scheme.verify(key, 'msg_1.1.{"a":1}', signature.replace('v1a,', 'v1,'))).toBe(false);
    expect(ed25519Scheme.verify(key, 'msg_1.1.{"a":1}', 'v1a,not-a-signature')).toBe(false);
    expect(ed25519Scheme.verify('whpk_short', 'msg_1.1.{"a":1}', signature)).toBe(false);
  });
});
