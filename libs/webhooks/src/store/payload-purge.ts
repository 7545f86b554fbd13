import type { DataSource, UpdateQueryBuilder } from 'typeorm';
import { MessageEntity } from '../entities/index.js';

const BATCH = 1000;
/** What a purged payload becomes: valid JSON (its content type JSON again), so readers of the message log need no special case. */
export const PURGED_PAYLOAD = '{}';

/**
 * Empties the payloads of the messages `where` selects, BATCH rows per UPDATE so no statement holds
 * many locks; returns how many. The message row, its deliveries and attempts stay. `where` must stop
 * selecting a row once purged (or the loop would not end).
 */
export async function purgePayloads(dataSource: DataSource, where: (query: UpdateQueryBuilder<MessageEntity>) => void, now = new Date()): Promise<number> {
  let purged = 0;
  for (;;) {
    const query = dataSource.createQueryBuilder().update(MessageEntity).set({ payload: PURGED_PAYLOAD, contentType: null, payloadExpiresAt: null, payloadPurgedAt: now });
    where(query);
    const affected = (await query.limit(BATCH).execute()).affected ?? 0;
    purged += affected;
    if (affected < BATCH) return purged;
  }
}
