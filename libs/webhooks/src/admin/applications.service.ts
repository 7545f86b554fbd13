import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, Not } from 'typeorm';
import {
  ApplicationEntity,
  AttemptEntity,
  DeliveryEntity,
  EndpointEntity,
  MessageEntity,
} from '../entities/index.js';
import { isDuplicateKey } from '../entities/database-errors.js';
import { newId } from '../entities/entity-id.js';
import { ConflictError, NotFoundError } from '../exceptions/homing-errors.js';
import { OPERATIONAL_APP_ID } from '../webhooks.constants.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { ApplicationInput } from '../inputs/application.input.js';
import { findApplication } from '../store/application-lookup.js';
import { paginate, type Page, type PageOptions } from './pagination.js';
import { validateChanges, validateInput } from '../inputs/validation.js';

export interface ApplicationPageOptions extends PageOptions {
  /** Leave out applications without endpoints. */
  excludeAppsWithNoEndpoints?: boolean;
  /** Leave out applications whose endpoints are all disabled. */
  excludeAppsWithDisabledEndpoints?: boolean;
}

@Injectable()
export class ApplicationsService {
  constructor(@InjectWebhooksDataSource() private readonly dataSource: DataSource) {}

  async create(input: ApplicationInput): Promise<ApplicationEntity> {
    const valid = await validateInput(ApplicationInput, input);
    const now = new Date();
    const application: ApplicationEntity = {
      id: newId('application'),
      uid: valid.uid ?? null,
      name: valid.name,
      metadata: valid.metadata ?? null,
      rateLimit: valid.rateLimit ?? null,
      signatureScheme: valid.signatureScheme ?? null,
      envelope: valid.envelope ?? false,
      developerId: valid.developerId ?? null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.repository.insert(application);
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError(`an application with uid "${valid.uid}" already exists`, { cause: error });
      throw error;
    }
    return application;
  }

  /** By id (`app_…`) or by the caller's uid; a NotFoundError when neither names one. */
  async get(idOrUid: string): Promise<ApplicationEntity> {
    const application = await this.find(idOrUid);
    if (!application) throw new NotFoundError('application', idOrUid);
    return application;
  }

  /** The application a path names, by id or uid (an id wins: see `idFirst`), or null. */
  find(idOrUid: string): Promise<ApplicationEntity | null> {
    return findApplication(this.dataSource, idOrUid);
  }

  /** Every application but the reserved one of operational webhooks (see `OPERATIONAL_APP_ID`). */
  list(): Promise<ApplicationEntity[]> {
    return this.repository.find({ where: { id: Not(OPERATIONAL_APP_ID) }, order: { id: 'ASC' } });
  }

  /** A page of applications (not the reserved one of operational webhooks), oldest first unless `order` says otherwise. */
  page(options: ApplicationPageOptions = {}): Promise<Page<ApplicationEntity>> {
    const query = this.repository.createQueryBuilder('app').where('app.id <> :reserved', { reserved: OPERATIONAL_APP_ID });
    const endpoints = query.subQuery().select('1').from(EndpointEntity, 'ep').where('ep.appId = app.id');
    const hasEndpoint = `EXISTS ${endpoints.getQuery()}`;
    const hasEnabledEndpoint = `EXISTS ${endpoints.andWhere('ep.disabled = 0').getQuery()}`;
    if (options.excludeAppsWithNoEndpoints) query.andWhere(hasEndpoint);
    if (options.excludeAppsWithDisabledEndpoints) query.andWhere(new Brackets((qb) => qb.where(`NOT ${hasEndpoint}`).orWhere(hasEnabledEndpoint)));
    return paginate(query, 'app.id', 'application', options, 'ascending');
  }

  async update(idOrUid: string, changes: Partial<ApplicationInput>): Promise<ApplicationEntity> {
    const application = await this.get(idOrUid);
    const valid = await validateChanges(ApplicationInput, changes);
    const updated = { ...application, ...valid, updatedAt: new Date() };
    try {
      await this.repository.update({ id: application.id }, updated);
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError(`an application with uid "${valid.uid}" already exists`, { cause: error });
      throw error;
    }
    return updated;
  }

  /** Deletes the application with its endpoints, messages and their delivery records. */
  async delete(idOrUid: string): Promise<void> {
    const { id } = await this.get(idOrUid);
    await this.dataSource.transaction(async (manager) => {
      for (const entity of [AttemptEntity, DeliveryEntity, MessageEntity, EndpointEntity]) {
        await manager.delete(entity, { appId: id });
      }
      await manager.delete(ApplicationEntity, { id });
    });
  }

  private get repository() {
    return this.dataSource.getRepository(ApplicationEntity);
  }
}
