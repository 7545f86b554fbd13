import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import type { EndpointEntity } from '../entities/endpoint.entity.js';
import { InjectWebhooksOptions } from '../webhooks.decorators.js';

/** Marks a stored secret as `enc:v1:<iv>:<tag>:<ciphertext>` (AES-256-GCM, base64 parts); anything else is plaintext. */
const SEALED_PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Opened secrets kept, by their sealed form: every delivery needs its endpoint's secret. */
const OPENED_LIMIT = 10_000;

type SecretFields = Partial<Pick<EndpointEntity, 'secret' | 'previousSecrets'>>;

/**
 * Encrypts endpoint secrets at rest, so a database dump alone does not reveal them. In memory (and
 * to callers) secrets are plaintext; only what is written is sealed. Values stored before a key was
 * configured stay readable, so encryption can be turned on later.
 */
@Injectable()
export class SecretCipher implements OnModuleInit {
  private readonly logger = new Logger('HomingSecrets');
  private readonly key?: Buffer;
  private readonly opened = new Map<string, string>();

  constructor(@InjectWebhooksOptions() options: ResolvedWebhooksOptions) {
    this.key = options.encryptionKey;
  }

  onModuleInit(): void {
    if (!this.key) this.logger.warn('no encryption key (encryptionKey / HOMING_ENCRYPTION_KEY): endpoint secrets are stored in plaintext');
  }

  seal(secret: string): string {
    if (!this.key) return secret;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64')).join(':')}`;
  }

  open(stored: string): string {
    if (!stored.startsWith(SEALED_PREFIX)) return stored;
    // Messages say what is wrong with the configuration and never include the value.
    if (!this.key) throw new Error('an endpoint secret is encrypted but no encryption key is configured (encryptionKey / HOMING_ENCRYPTION_KEY)');
    const known = this.opened.get(stored);
    if (known !== undefined) return known;
    const [iv, tag, ciphertext] = stored.slice(SEALED_PREFIX.length).split(':').map((part) => Buffer.from(part, 'base64'));
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      const secret = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      if (this.opened.size >= OPENED_LIMIT) this.opened.clear();
      this.opened.set(stored, secret);
      return secret;
    } catch {
      throw new Error('an endpoint secret cannot be decrypted: it was encrypted with another key (encryptionKey / HOMING_ENCRYPTION_KEY)');
    }
  }

  /** The secret fields present in `fields`, as they are stored. */
  sealSecrets<T extends SecretFields>(fields: T): T {
    return this.mapSecrets(fields, (secret) => this.seal(secret));
  }

  /** The secret fields present in `fields`, as plaintext. */
  openSecrets<T extends SecretFields>(fields: T): T {
    return this.mapSecrets(fields, (secret) => this.open(secret));
  }

  private mapSecrets<T extends SecretFields>(fields: T, map: (secret: string) => string): T {
    const mapped = { ...fields };
    if (fields.secret !== undefined) mapped.secret = map(fields.secret);
    if (fields.previousSecrets) mapped.previousSecrets = fields.previousSecrets.map((previous) => ({ ...previous, secret: map(previous.secret) }));
    return mapped;
  }
}
