import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { parseEncryptionKey } from '../config/parse-security.js';
import { SecretCipher } from './secret-cipher.js';

const cipherWith = (encryptionKey?: Buffer) => new SecretCipher({ encryptionKey } as ResolvedWebhooksOptions);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('SecretCipher', () => {
  const key = randomBytes(32);
  const cipher = cipherWith(key);

  it('stores a secret as enc:v1:<iv>:<tag>:<ciphertext> that does not contain it, and reads it back', () => {
    const sealed = cipher.seal(SECRET);
    expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain(SECRET.slice('whsec_'.length, 20));
    expect(sealed.length).toBeLessThanOrEqual(256);
    expect(cipher.open(sealed)).toBe(SECRET);
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.seal(SECRET)).not.toBe(cipher.seal(SECRET));
  });

  it('reads values stored before encryption was turned on as plaintext', () => {
    expect(cipher.open(SECRET)).toBe(SECRET);
  });

  it('stores plaintext when no key is configured, and says so once at start', () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const plain = cipherWith();
      plain.onModuleInit();
      expect(plain.seal(SECRET)).toBe(SECRET);
      expect(warn.mock.calls).toEqual([[expect.stringMatching(/no encryption key \(encryptionKey \/ HOMING_ENCRYPTION_KEY\): endpoint secrets are stored in plaintext/)]]);
      warn.mockClear();
      cipher.onModuleInit();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a tampered value and a value sealed with another key, without showing either', () => {
    const sealed = cipher.seal(SECRET);
    const parts = sealed.split(':');
    const ciphertext = Buffer.from(parts[4], 'base64');
    ciphertext[0] ^= 1;
    const tampered = [...parts.slice(0, 4), ciphertext.toString('base64')].join(':');
    expect(() => cipher.open(tampered)).toThrow(/cannot be decrypted/);
    expect(() => cipherWith(randomBytes(32)).open(sealed)).toThrow(/encrypted with another key/);
    expect(() => cipherWith().open(sealed)).toThrow(/no encryption key is configured/);
    const truncatedTag = [...parts.slice(0, 3), Buffer.from(parts[3], 'base64').subarray(0, 4).toString('base64'), parts[4]].join(':');
    expect(() => cipher.open(truncatedTag)).toThrow(/cannot be decrypted/);
  });

  it('seals and opens the current and the previous secrets of an endpoint', () => {
    const fields = { secret: SECRET, previousSecrets: [{ secret: 'whsec_old', expiresAt: '2030-01-01T00:00:00.000Z' }] };
    const sealed = cipher.sealSecrets(fields);
    expect(sealed.secret).toMatch(/^enc:v1:/);
    expect(sealed.previousSecrets![0]).toMatchObject({ secret: expect.stringMatching(/^enc:v1:/), expiresAt: '2030-01-01T00:00:00.000Z' });
    expect(cipher.openSecrets(sealed)).toEqual(fields);
    expect(cipher.sealSecrets({ previousSecrets: null })).toEqual({ previousSecrets: null });
  });
});

describe('parseEncryptionKey', () => {
  const key = randomBytes(32);

  it('reads 32 bytes as hex or base64', () => {
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('hex').toUpperCase())).toEqual(key);
    expect(parseEncryptionKey(` ${key.toString('base64')} `)).toEqual(key);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64'), /got 16 bytes/],
    ['too long', randomBytes(33).toString('hex'), /got 49 bytes/],
    ['not an encoding', 'correct horse battery staple', /got neither/],
  ])('rejects a key %s', (_case, text, message) => {
    expect(() => parseEncryptionKey(text)).toThrow(message);
  });
});
