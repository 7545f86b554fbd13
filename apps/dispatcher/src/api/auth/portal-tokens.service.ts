import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In, MoreThan } from 'typeorm';
import { ApplicationEntity, InjectWebhooksDataSource } from '@homing/webhooks';
import { newId } from '@homing/webhooks/internal';
import { InjectDispatcherDataSource } from '../../dispatcher.database.js';
import { PortalTokenEntity } from '../../entities/index.js';
import { PORTAL_TOKEN_PREFIX } from '../api.constants.js';
import type { PortalCapability, Principal } from './principal.js';
import { sha256 } from '../hashing.js';

export interface PortalTokenRequest {
  expirySeconds: number;
  capabilities: readonly PortalCapability[];
  sessionId?: string | null;
}

/** Consumer-portal tokens: each reaches one application's data, until it expires or is revoked. */
@Injectable()
export class PortalTokensService {
  constructor(
    @InjectDispatcherDataSource() private readonly dataSource: DataSource,
    @InjectWebhooksDataSource() private readonly webhooks: DataSource,
  ) {}

  /** A new token for the application; only its hash is stored. */
  async issue(appId: string, request: PortalTokenRequest): Promise<string> {
    const token = PORTAL_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = new Date();
    await this.tokens.insert({
      id: newId('portalToken'),
      appId,
      tokenHash: sha256(token),
      capabilities: [...request.capabilities],
      sessionId: request.sessionId ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + request.expirySeconds * 1000),
    });
    return token;
  }

  /** Who a token stands for; null when it is not a live portal token of an existing application. */
  async verify(token: string): Promise<Principal | null> {
    if (!token.startsWith(PORTAL_TOKEN_PREFIX)) return null;
    const row = await this.tokens.findOneBy({ tokenHash: sha256(token), expiresAt: MoreThan(new Date()) });
    if (!row) return null;
    const application = await this.webhooks.getRepository(ApplicationEntity).findOneBy({ id: row.appId });
    if (!application) return null;
    return { kind: 'portal', tokenId: row.id, appId: application.id, capabilities: row.capabilities as PortalCapability[], expiresAt: row.expiresAt, sessionId: row.sessionId };
  }

  async revoke(tokenId: string): Promise<void> {
    await this.tokens.delete({ id: tokenId });
  }

  /** Part of deleting the application. */
  async deleteAll(appId: string): Promise<void> {
    await this.tokens.delete({ appId });
  }

  /** Ends the application's tokens (those of some sessions only, if given) `inSeconds` from now, unless they end sooner. */
  async expireAll(appId: string, inSeconds: number, sessionIds?: string[]): Promise<void> {
    const until = new Date(Date.now() + inSeconds * 1000);
    await this.tokens.update(
      { appId, expiresAt: MoreThan(until), ...(sessionIds?.length ? { sessionId: In(sessionIds) } : {}) },
      { expiresAt: until },
    );
  }

  private get tokens() {
    return this.dataSource.getRepository(PortalTokenEntity);
  }
}
