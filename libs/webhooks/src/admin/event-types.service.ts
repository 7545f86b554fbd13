import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { EventTypeEntity } from '../entities/index.js';
import { isDuplicateKey } from '../entities/database-errors.js';
import { ConflictError, NotFoundError } from '../exceptions/homing-errors.js';
import { InjectWebhooksDataSource } from '../webhooks.decorators.js';
import { EventTypeInput } from '../inputs/event-type.input.js';
import { EventTypeImportInput, parseRetrySchedule } from '../inputs/event-type-operations.input.js';
import { eventTypesOfSpec, openApiOfEventTypes, readSpec, type EventTypeFromOpenApi } from './event-type-openapi.js';
import { paginate, type Page, type PageOptions } from './pagination.js';
import { invalidField, validateChanges, validateInput } from '../inputs/validation.js';

/** What an import changed (or, on a dry run, would change). */
export interface EventTypeImport {
  /** The types created, changed or archived, by name; none on a dry run. */
  modified: string[];
  /** On a dry run, the types of the document that would be created or changed; null otherwise. */
  toModify: EventTypeFromOpenApi[] | null;
}

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
      retrySchedule: null,
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

  /**
   * Creates or updates the types of an OpenAPI document's webhooks (see eventTypesOfSpec), unarchiving those it
   * names; `replaceAll` archives the others. Types the document leaves as they are are not written. One transaction.
   */
  async importOpenApi(input: EventTypeImportInput): Promise<EventTypeImport> {
    const valid = await validateInput(EventTypeImportInput, input);
    const given = [valid.spec, valid.specRaw].filter((spec) => spec !== undefined && spec !== null).length;
    if (given !== 1) throw invalidField(['spec'], `give the document as either spec (an object) or specRaw (text), ${given ? 'not both' : 'one of them'}`, 'value_error.spec');
    const { document, field } = readSpec(valid.spec, valid.specRaw);
    const imported = await eventTypesOfSpec(document, field);
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(EventTypeEntity);
      const names = imported.map((type) => type.name);
      const existing = new Map((await repository.find({ where: valid.replaceAll ? {} : { name: In(names) }, lock: { mode: 'pessimistic_write' } })).map((type) => [type.name, type]));
      const changed = imported.filter((type) => {
        const current = existing.get(type.name);
        return !current || current.archived || (Object.keys(type) as (keyof EventTypeFromOpenApi)[]).some((key) => !isDeepStrictEqual(current[key], type[key]));
      });
      const listed = new Set(names);
      const archived = valid.replaceAll ? [...existing.values()].filter((type) => !type.archived && !listed.has(type.name)).map((type) => type.name) : [];
      if (valid.dryRun) return { modified: [], toModify: changed };
      const now = new Date();
      for (const type of changed) {
        if (existing.has(type.name)) await repository.update({ name: type.name }, { ...type, archived: false, updatedAt: now });
        else await repository.insert({ ...type, archived: false, featureFlag: null, retrySchedule: null, createdAt: now, updatedAt: now });
      }
      if (archived.length > 0) await repository.update({ name: In(archived) }, { archived: true, updatedAt: now });
      return { modified: [...changed.map((type) => type.name), ...archived], toModify: null };
    });
  }

  /** The catalogue (archived types left out) as an OpenAPI 3.1 document of webhooks, which importOpenApi reads back. */
  async exportOpenApi(): Promise<Record<string, unknown>> {
    return openApiOfEventTypes(await this.list());
  }

  /** The type's own retry schedule in ms, or null when its messages follow the dispatcher's `retrySchedule`. */
  async getRetrySchedule(name: string): Promise<number[] | null> {
    return (await this.get(name)).retrySchedule;
  }

  /**
   * Gives messages of the type their own retry schedule (see parseRetrySchedule), from their next failed attempt on;
   * null goes back to the dispatcher's. Returns it in ms.
   */
  async setRetrySchedule(name: string, schedule: readonly (string | number)[] | null): Promise<number[] | null> {
    const retrySchedule = schedule === null ? null : parseRetrySchedule(schedule);
    const result = await this.repository.update({ name }, { retrySchedule, updatedAt: new Date() });
    if (!result.affected) throw new NotFoundError('event type', name);
    return retrySchedule;
  }

  private get repository() {
    return this.dataSource.getRepository(EventTypeEntity);
  }
}
