import type { DataSource } from 'typeorm';
import { idFirst } from '../common/lookup.js';
import { ApplicationEntity } from '../entities/index.js';

/**
 * The one resolver of an application named by id or uid (an id wins: see `idFirst`), or null. Below the
 * services, so the admin services and the operational events resolve alike without depending on each other.
 */
export async function findApplication(dataSource: DataSource, idOrUid: string): Promise<ApplicationEntity | null> {
  const found = await dataSource.getRepository(ApplicationEntity).find({ where: [{ id: idOrUid }, { uid: idOrUid }], take: 2 });
  return idFirst(found, idOrUid, 'uid') ?? null;
}
