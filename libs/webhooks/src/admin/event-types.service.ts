import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventTypeEntity } from '../entities/index.js';
import { isDuplicateKey } from '../entities/database-errors.js';
import { ConflictError, NotFoundError } from '../exceptions/homing-errors.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { EventTypeInput } from '../inputs/event-type.input.js';
import { paginate, type Page, type PageOptions } from './pagination.js';
import { invalidField, validateChanges, validateInput } from '../inputs/validation.js';

/** The event-type catalogue: names, descriptions, schemas and example payloads. */
@Injectable()
export class EventTypesService {
  constructor(@InjectWebhooksDataSource() private readonly dataSource: DataSource) {}

  async create(input: EventTypeInput): Promise<EventTypeEntity> {
    const valid = await validateInput(EventTypeInput, input);
    const now = new Date();
    const eventType: EventTypeEntity = {
      name: valid.name,
      description: valid.description,
      schemas: valid.schemas ?? null,
      archived: valid.archived ?? false,
      deprecated: valid.deprecated ?? false,
      featureFlag: valid.featureFlag ?? null,
      featureFlags: valid.featureFlags ?? null,
      groupName: valid.groupName ?? null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.repository.insert(eventType);
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError(`event type "${valid.name}" already exists`, { cause: error });
      throw error;
    }
    return eventType;
  }

  async get(name: string): Promise<EventTypeEntity> {
    const eventType = await this.repository.findOneBy({ name });
    if (!eventType) throw new NotFoundError('event type', name);
    return eventType;
  }

  list(includeArchived = false): Promise<EventTypeEntity[]> {
    return this.repository.find({ where: includeArchived ? {} : { archived: false }, order: { name: 'ASC' } });
  }

  /** A page of the catalogue by name; archived types only when asked for. */
  page(options: PageOptions & { includeArchived?: boolean } = {}): Promise<Page<EventTypeEntity>> {
    const query = this.repository.createQueryBuilder('type');
    if (!options.includeArchived) query.where('type.archived = 0');
    return paginate(query, 'type.name', 'eventTypeName', options, 'ascending');
  }

  async update(name: string, changes: Partial<Omit<EventTypeInput, 'name'>>): Promise<EventTypeEntity> {
    const eventType = await this.get(name);
    const { name: _ignored, ...valid } = await validateChanges(EventTypeInput, changes);
    const updated = { ...eventType, ...valid, updatedAt: new Date() };
    await this.repository.update({ name }, updated);
    return updated;
  }

  /** Archiving hides a type from the catalogue; messages of that type still go out. */
  async archive(name: string): Promise<void> {
    await this.update(name, { archived: true });
  }

  /** Removes the type from the catalogue for good (messages of it are kept). */
  async expunge(name: string): Promise<void> {
    const result = await this.repository.delete({ name });
    if (!result.affected) throw new NotFoundError('event type', name);
  }

  /** The example payload Svix would send: the first (or `index`th) example of schema version 1. */
  async example(name: string, index = 0): Promise<unknown> {
    const eventType = await this.get(name);
    const examples = (eventType.schemas?.['1'] as { examples?: unknown[] } | undefined)?.examples;
    if (!examples?.length) throw invalidField(['eventType'], `event type "${name}" has no example payload (schemas["1"].examples)`);
    if (!(index in examples)) throw invalidField(['exampleIndex'], `event type "${name}" has ${examples.length} example(s); there is none at index ${index}`);
    return examples[index];
  }

  private get repository() {
    return this.dataSource.getRepository(EventTypeEntity);
  }
}
