import { describe, expect, it } from 'vitest';
import { ed25519Scheme } from './ed25519.scheme.js';
import { hmacSha256Scheme } from './hmac-sha256.scheme.js';
import { schemeOfKey, schemeOfSecret, signingScheme } from './registry.js';

describe('signing scheme registry', () => {
  it('knows a secret\'s scheme by its prefix, a bare one being an HMAC key', () => {
    expect(schemeOfSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(hmacSha256Scheme);
    expect(schemeOfSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(hmacSha256Scheme);
    expect(schemeOfSecret(ed25519Scheme.generate())).toBe(ed25519Scheme);
  });

  it('knows a verifying key\'s scheme by its prefix: a shared secret, or a public key', () => {
    expect(schemeOfKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(hmacSha256Scheme);
    expect(schemeOfKey('whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=')).toBe(ed25519Scheme);
    // A private key is no verifying key: it falls to the bare HMAC reading, whose form it fails.
    const secret = ed25519Scheme.generate();
    expect(schemeOfKey(secret).isValidKey(secret)).toBe(false);
  });

  it('finds a scheme by name, and names the known ones for an unknown name', () => {
    expect(signingScheme('ed25519')).toBe(ed25519Scheme);
    expect(signingScheme('hmac-sha256')).toBe(hmacSha256Scheme);
    expect(() => signingScheme('rsa')).toThrow('expected one of hmac-sha256, ed25519, got "rsa"');
  });

  it('shows the customer the HMAC secret itself, and the public key of an ed25519 one', () => {
    expect(schemeOfSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').customerKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const secret = 'whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==';
    expect(schemeOfSecret(secret).customerKey(secret)).toBe('whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=');
  });
});
