import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AttemptEntity, DeliveryEntity, EndpointEntity } from '../entities/index.js';
import { isDuplicateKey } from '../entities/database-errors.js';
import { newId } from '../entities/entity-id.js';
import { generateSecret } from '../signing/webhook-secret.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { ApplicationsService, definedOnly } from './applications.service.js';
import { EndpointInput } from './dto/endpoint.input.js';
import { validateInput } from './validation.js';

@Injectable()
export class EndpointsService {
  constructor(
    @InjectWebhooksDataSource() private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
  ) {}

  async create(appIdOrUid: string, input: EndpointInput): Promise<EndpointEntity> {
    const application = await this.applications.get(appIdOrUid);
    const valid = await validateInput(EndpointInput, input);
    const now = new Date();
    const endpoint: EndpointEntity = {
      id: newId('endpoint'),
      appId: application.id,
      uid: valid.uid ?? null,
      url: valid.url,
      description: valid.description ?? '',
      filterTypes: valid.filterTypes?.length ? valid.filterTypes : null,
      channels: valid.channels?.length ? valid.channels : null,
      disabled: valid.disabled ?? false,
      disabledReason: null,
      secret: valid.secret ?? generateSecret(),
      previousSecrets: null,
      headers: valid.headers ?? null,
      metadata: valid.metadata ?? null,
      rateLimit: valid.rateLimit ?? null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.save(() => this.repository.insert(endpoint), valid.uid);
    return endpoint;
  }

  /** By id (`ep_…`) or uid, within the application. */
  async get(appIdOrUid: string, idOrUid: string): Promise<EndpointEntity> {
    const application = await this.applications.get(appIdOrUid);
    const endpoint = await this.repository.findOne({
      where: [
        { appId: application.id, id: idOrUid },
        { appId: application.id, uid: idOrUid },
      ],
    });
    if (!endpoint) throw new NotFoundException(`endpoint "${idOrUid}" not found`);
    return endpoint;
  }

  async list(appIdOrUid: string): Promise<EndpointEntity[]> {
    const application = await this.applications.get(appIdOrUid);
    return this.repository.find({ where: { appId: application.id }, order: { id: 'ASC' } });
  }

  /** Sets the fields given. Enabling an endpoint clears its failure history. */
  async update(appIdOrUid: string, idOrUid: string, changes: Partial<EndpointInput>): Promise<EndpointEntity> {
    const endpoint = await this.get(appIdOrUid, idOrUid);
    const valid = definedOnly(await validateInput(EndpointInput, changes, true));
    const updated: EndpointEntity = { ...endpoint, ...valid, updatedAt: new Date() } as EndpointEntity;
    if (valid.filterTypes !== undefined) updated.filterTypes = valid.filterTypes?.length ? valid.filterTypes : null;
    if (valid.channels !== undefined) updated.channels = valid.channels?.length ? valid.channels : null;
    if (endpoint.disabled && valid.disabled === false) {
      updated.disabledReason = null;
      updated.failingSince = null;
    }
    if (!endpoint.disabled && valid.disabled === true) updated.disabledReason = 'disabled by the user';
    await this.save(() => this.repository.update({ id: endpoint.id }, updated), valid.uid);
    return updated;
  }

  async delete(appIdOrUid: string, idOrUid: string): Promise<void> {
    const endpoint = await this.get(appIdOrUid, idOrUid);
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(AttemptEntity, { endpointId: endpoint.id });
      await manager.delete(DeliveryEntity, { endpointId: endpoint.id });
      await manager.delete(EndpointEntity, { id: endpoint.id });
    });
  }

  async getSecret(appIdOrUid: string, idOrUid: string): Promise<string> {
    return (await this.get(appIdOrUid, idOrUid)).secret;
  }

  private async save(write: () => Promise<unknown>, uid: string | null | undefined): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictException(`an endpoint with uid "${uid}" already exists in this application`);
      throw error;
    }
  }

  private get repository() {
    return this.dataSource.getRepository(EndpointEntity);
  }
}
