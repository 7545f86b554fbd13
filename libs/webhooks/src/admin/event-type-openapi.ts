import { load } from 'js-yaml';
import { isValidEventTypeName } from '../common/event-type-pattern.js';
import type { EventTypeEntity } from '../entities/index.js';
import { EventTypeInput } from '../inputs/event-type.input.js';
import { invalidField, MAX_JSON_DEPTH, MAX_STORED_JSON_DEPTH, validateInput } from '../inputs/validation.js';
import { ValidationError } from '../exceptions/homing-errors.js';

/** What an OpenAPI webhook makes of an event type: Svix's EventTypeFromOpenApi, `schemas` as stored (by version). */
export interface EventTypeFromOpenApi {
  name: string;
  description: string;
  schemas: Record<string, any> | null;
  deprecated: boolean;
  groupName: string | null;
  featureFlags: string[] | null;
}

/** Where the document came from, which names it in errors: `spec` (an object) or `specRaw` (text). */
export type SpecField = 'spec' | 'specRaw';

type Json = Record<string, unknown>;

/** How many values inlining `$ref`s may produce for one document: a few refs used many times each can multiply without end. */
const MAX_INLINED_VALUES = 100_000;
/** Values of a schema that are data, not schemas: a `$ref` in them is not followed. */
const DATA_KEYWORDS = new Set(['example', 'examples', 'default', 'const', 'enum']);
const ACCEPTED = 'Return any 2XX status to indicate that the data was received successfully';

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The document of `spec` or `specRaw` (YAML or JSON; YAML aliases refused, as they can multiply a small text without end). */
export function readSpec(spec: Json | null | undefined, specRaw: string | null | undefined): { document: Json; field: SpecField } {
  if (spec !== undefined && spec !== null) return { document: spec, field: 'spec' };
  let document: unknown;
  try {
    document = load(specRaw ?? '', { maxAliases: 0, maxDepth: MAX_JSON_DEPTH });
  } catch (error) {
    throw invalidField(['specRaw'], `specRaw is not a YAML or JSON document: ${(error as Error).message.split('\n')[0]}`, 'value_error.yaml');
  }
  if (!isObject(document)) throw invalidField(['specRaw'], 'specRaw must hold an OpenAPI document (an object)', 'type_error.dict');
  return { document, field: 'specRaw' };
}

/**
 * The event types of the document's `webhooks` (OpenAPI 3.1) and `x-webhooks` (3.0), `webhooks` winning a name in both.
 * A webhook's key is the type's name; from its `post` operation come the description (its `description`, else its
 * `summary`, else the request body's), `deprecated`, `x-svix-group-name` and `x-svix-feature-flags`; from the
 * request body's `application/json` content the schema, with local `$ref`s inlined, and the examples (`example`
 * and `examples` there, else the schema's own `examples`), kept as schema version "1" with `examples` in it.
 */
export async function eventTypesOfSpec(document: Json, field: SpecField): Promise<EventTypeFromOpenApi[]> {
  const sections = [document['x-webhooks'], document.webhooks];
  if (sections.every((section) => section === undefined)) throw invalidField([field], `${field} has no webhooks (or x-webhooks) section: nothing to import`, 'value_error.missing');
  // A Map: a webhook may be named "__proto__" (a valid event type name), which an object would take as its prototype.
  const webhooks = new Map<string, { item: unknown; section: string }>();
  for (const [section, entries] of [['x-webhooks', sections[0]], ['webhooks', sections[1]]] as const) {
    if (entries === undefined) continue;
    if (!isObject(entries)) throw invalidField([field, section], `${field}.${section} must be an object of webhooks by name`, 'type_error.dict');
    for (const [name, item] of Object.entries(entries)) webhooks.set(name, { item, section });
  }
  const inliner = new RefInliner(document, field);
  const types: EventTypeFromOpenApi[] = [];
  for (const [name, { item, section }] of webhooks) {
    const path = [field, section, name];
    if (!isValidEventTypeName(name)) throw invalidField(path, `"${name}" is not an event type name (1 to 256 letters, digits, '-', '_' and '.')`, 'value_error.event_type_name');
    const type = eventTypeOf(name, inliner.follow(item, path), inliner, path);
    try {
      await validateInput(EventTypeInput, type);
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(error.fields.map((invalid) => ({ ...invalid, path: [...path, ...invalid.path] })));
      throw error;
    }
    // As the JSON column gives it back (plain objects; what JSON cannot hold, such as YAML's .inf, as JSON writes it), so it compares with what is stored.
    types.push(JSON.parse(JSON.stringify(type)) as EventTypeFromOpenApi);
  }
  return types;
}

function eventTypeOf(name: string, item: unknown, inliner: RefInliner, path: string[]): EventTypeFromOpenApi {
  const operation = isObject(item) ? item.post : undefined;
  if (!isObject(operation)) throw invalidField(path, `webhook "${name}" has no post operation`, 'value_error.missing');
  const at = [...path, 'post'];
  const body = operation.requestBody === undefined ? undefined : inliner.follow(operation.requestBody, [...at, 'requestBody']);
  const content = isObject(body) && isObject(body.content) ? body.content : undefined;
  const media = content?.['application/json'] === undefined ? undefined : inliner.follow(content['application/json'], [...at, 'requestBody', 'content', 'application/json']);
  const mediaAt = [...at, 'requestBody', 'content', 'application/json'];
  let schema = isObject(media) && media.schema !== undefined ? inliner.inline(media.schema, [...mediaAt, 'schema']) : undefined;
  if (schema !== undefined && !isObject(schema)) throw invalidField([...mediaAt, 'schema'], `the schema of webhook "${name}" must be an object`, 'type_error.dict');
  const examples = isObject(media) ? examplesOf(media, inliner, mediaAt) : [];
  if (examples.length > 0) schema = { ...schema, examples };
  return {
    name,
    description: text(operation.description) ?? text(operation.summary) ?? (isObject(body) ? text(body.description) : undefined) ?? '',
    schemas: schema === undefined ? null : { '1': schema },
    deprecated: optional(operation.deprecated, 'boolean', [...at, 'deprecated']) ?? false,
    groupName: optional(operation['x-svix-group-name'], 'string', [...at, 'x-svix-group-name']) ?? null,
    featureFlags: optionalList(operation['x-svix-feature-flags'], [...at, 'x-svix-feature-flags']) ?? null,
  };
}

/** The media type's `example`, then the values of its `examples`, in order. */
function examplesOf(media: Json, inliner: RefInliner, at: string[]): unknown[] {
  const examples = media.example === undefined ? [] : [media.example];
  if (media.examples === undefined) return examples;
  if (!isObject(media.examples)) throw invalidField([...at, 'examples'], 'examples must be an object of Example Objects by name', 'type_error.dict');
  for (const [key, example] of Object.entries(media.examples)) {
    const resolved = inliner.follow(example, [...at, 'examples', key]);
    if (isObject(resolved) && resolved.value !== undefined) examples.push(resolved.value);
  }
  return examples;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function optional<T extends 'boolean' | 'string'>(value: unknown, type: T, path: string[]): (T extends 'boolean' ? boolean : string) | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw invalidField(path, `${path[path.length - 1]} must be a ${type}`, `type_error.${type}`);
  return value as T extends 'boolean' ? boolean : string;
}

function optionalList(value: unknown, path: string[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) throw invalidField(path, `${path[path.length - 1]} must be a list of strings`, 'type_error.list');
  return value;
}

/**
 * Follows and inlines the document's local `$ref`s (`#/components/schemas/Pet`): a stored schema stands alone.
 * A reference to itself (through any chain) cannot be inlined and is refused, as are references to other documents.
 */
class RefInliner {
  private produced = 0;

  constructor(
    private readonly document: Json,
    private readonly field: SpecField,
  ) {}

  /** The value, or what its `$ref` (chain) points to. */
  follow(value: unknown, path: string[], trail: string[] = []): unknown {
    if (!isObject(value) || typeof value.$ref !== 'string') return value;
    const ref = value.$ref;
    if (trail.includes(ref)) throw invalidField(path, `$ref "${ref}" refers back to itself (${[...trail, ref].join(' → ')}); recursive schemas cannot be imported`, 'value_error.ref.recursive');
    return this.follow(this.target(ref, path), path, [...trail, ref]);
  }

  /** A copy of the value with every `$ref` replaced by what it points to (its other keys kept beside). */
  inline(value: unknown, path: string[], trail: string[] = [], depth = 1): unknown {
    if (++this.produced > MAX_INLINED_VALUES) throw invalidField([this.field], `inlining the $refs of ${this.field} makes more than ${MAX_INLINED_VALUES} values`, 'value_error.ref.size');
    // The stored `schemas` holds the schema one level down; validation checks the exact limit, this stops the walk early.
    if (depth >= MAX_STORED_JSON_DEPTH) throw invalidField(path, `the schema nests arrays and objects deeper than ${MAX_STORED_JSON_DEPTH - 1} levels once its $refs are inlined`, 'value_error.depth');
    if (Array.isArray(value)) return value.map((entry) => this.inline(entry, path, trail, depth + 1));
    if (!isObject(value)) return value;
    if (typeof value.$ref === 'string') {
      const { $ref: ref, ...siblings } = value;
      if (trail.includes(ref)) throw invalidField(path, `$ref "${ref}" refers back to itself (${[...trail, ref].join(' → ')}); recursive schemas cannot be imported`, 'value_error.ref.recursive');
      const target = this.inline(this.target(ref, path), path, [...trail, ref], depth);
      return Object.keys(siblings).length === 0 ? target : { ...(isObject(target) ? target : {}), ...(this.inline(siblings, path, trail, depth) as Json) };
    }
    const copy: Json = {};
    for (const [key, entry] of Object.entries(value)) {
      Object.defineProperty(copy, key, { value: DATA_KEYWORDS.has(key) ? entry : this.inline(entry, path, trail, depth + 1), enumerable: true, configurable: true, writable: true });
    }
    return copy;
  }

  /** What a local reference (`#/a/b`, JSON Pointer) points to in the document. */
  private target(ref: string, path: string[]): unknown {
    if (!ref.startsWith('#/')) throw invalidField(path, `$ref "${ref}" is not a reference within the document (#/...); other documents are not fetched`, 'value_error.ref.external');
    let target: unknown = this.document;
    for (const token of ref.slice(2).split('/')) {
      let key: string;
      try {
        key = decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~');
      } catch {
        key = token;
      }
      target = isObject(target) && Object.hasOwn(target, key) ? target[key] : Array.isArray(target) && /^\d+$/.test(key) ? target[Number(key)] : undefined;
      if (target === undefined) throw invalidField(path, `$ref "${ref}" points to nothing in the document`, 'value_error.ref.missing');
    }
    return target;
  }
}

/**
 * The catalogue as an OpenAPI 3.1 document: one webhook per type, named after it, that `eventTypesOfSpec` reads
 * back to the same types. Only version "1" of a type's schemas is written (OpenAPI has one schema per webhook).
 */
export function openApiOfEventTypes(types: readonly EventTypeEntity[]): Json {
  const webhooks: Json = {};
  for (const type of types) {
    const schema = type.schemas?.['1'];
    webhooks[type.name] = {
      post: {
        operationId: type.name,
        description: type.description,
        ...(type.deprecated ? { deprecated: true } : {}),
        ...(type.groupName !== null ? { 'x-svix-group-name': type.groupName } : {}),
        ...(type.featureFlags !== null ? { 'x-svix-feature-flags': type.featureFlags } : {}),
        ...(isObject(schema) ? { requestBody: { content: { 'application/json': { schema } } } } : {}),
        responses: { '2XX': { description: ACCEPTED } },
      },
    };
  }
  return { openapi: '3.1.0', info: { title: 'Webhooks', version: '1.0.0' }, webhooks };
}
