import { ConflictException, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, UnprocessableEntityException } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, LessThan } from 'typeorm';
import { isDuplicateKey } from '@homing/webhooks/internal';
import { InjectDispatcherDataSource } from '../../dispatcher.database.js';
import { IdempotencyRecordEntity } from '../../entities/index.js';
import { IDEMPOTENCY_ABANDONED_MS, IDEMPOTENCY_TTL_MS, IDEMPOTENCY_WAIT_MS } from '../api.constants.js';

/** A response stored for replay. */
export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

const POLL_MS = 100;
const PURGE_EVERY_MS = 3600_000;

/**
 * The records behind `idempotency-key`: the first request with a key claims it, its response is
 * stored, and retries get that response instead of running again. Kept in MariaDB, so every
 * dispatcher replica sees them, for 24 hours.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('HomingIdempotency');
  private purgeTimer?: NodeJS.Timeout;

  constructor(@InjectDispatcherDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => void this.purge().catch((error: Error) => this.logger.warn(`purge failed: ${error.message}`)), PURGE_EVERY_MS);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /**
   * Claims `id` for a request (null: go ahead, then `finish` or `release`), or returns the response
   * a previous request with the same key got. A retry that arrives while the first request is still
   * running waits for its response.
   */
  async claim(id: string, requestHash: string): Promise<StoredResponse | null> {
    const giveUpAt = Date.now() + IDEMPOTENCY_WAIT_MS;
    for (;;) {
      const now = new Date();
      try {
        await this.records.insert({ id, requestHash, state: 'started', statusCode: null, body: null, createdAt: now, expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS) });
        return null;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const record = await this.records.findOneBy({ id });
      if (!record) continue;
      const abandoned = record.state === 'started' && now.getTime() - record.createdAt.getTime() > IDEMPOTENCY_ABANDONED_MS;
      if (record.expiresAt <= now || abandoned) {
        await this.records.delete({ id, createdAt: record.createdAt });
        continue;
      }
      if (record.requestHash !== requestHash) {
        throw new UnprocessableEntityException({
          detail: [{ loc: ['header', 'idempotency-key'], msg: 'this idempotency-key was already used for a different request', type: 'value_error' }],
        });
      }
      if (record.state === 'finished') return { statusCode: record.statusCode!, body: record.body === null ? undefined : JSON.parse(record.body) };
      if (Date.now() >= giveUpAt) throw new ConflictException('a request with this idempotency-key is still being processed; retry later');
      await sleep(POLL_MS);
    }
  }

  async finish(id: string, response: StoredResponse): Promise<void> {
    const body = response.body === undefined || response.body === null ? null : JSON.stringify(response.body);
    await this.records.update({ id }, { state: 'finished', statusCode: response.statusCode, body });
  }

  /** Frees the key after a failed request, so a retry runs again. */
  async release(id: string): Promise<void> {
    await this.records.delete({ id, state: 'started' });
  }

  private async purge(): Promise<void> {
    await this.records.delete({ expiresAt: LessThan(new Date()) });
  }

  private get records() {
    return this.dataSource.getRepository(IdempotencyRecordEntity);
  }
}
