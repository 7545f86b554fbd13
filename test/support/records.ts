import { AttemptEntity, DeliveryEntity } from '@homing/webhooks';
import type { DataSource } from 'typeorm';

/** The attempts recorded for a message, oldest first. */
export function attemptsOf(dataSource: DataSource, msgId: string, endpointId?: string): Promise<AttemptEntity[]> {
  return dataSource.getRepository(AttemptEntity).find({ where: { msgId, ...(endpointId ? { endpointId } : {}) }, order: { createdAt: 'ASC', id: 'ASC' } });
}

export function deliveryOf(dataSource: DataSource, msgId: string, endpointId: string): Promise<DeliveryEntity | null> {
  return dataSource.getRepository(DeliveryEntity).findOneBy({ msgId, endpointId });
}
