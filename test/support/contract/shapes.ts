/**
 * A small language for the response shapes Svix publishes, and a checker. It says only what a client
 * relies on: required fields, JSON types, enums, id patterns, nullability. Extra fields are allowed,
 * as in Svix's document (no `additionalProperties: false` there).
 */
export type Shape =
  | { kind: 'text'; pattern?: RegExp; describe: string }
  | { kind: 'dateTime' }
  | { kind: 'integer' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'oneOf'; values: readonly (string | number)[] }
  | { kind: 'list'; items: Shape }
  | { kind: 'record'; fields: Record<string, { shape: Shape; required: boolean }> }
  | { kind: 'mapOf'; values: Shape }
  | { kind: 'anyObject' }
  | { kind: 'anything' }
  | { kind: 'nullable'; shape: Shape };

export const text: Shape = { kind: 'text', describe: 'a string' };
export const dateTime: Shape = { kind: 'dateTime' };
export const integer: Shape = { kind: 'integer' };
export const number: Shape = { kind: 'number' };
export const boolean: Shape = { kind: 'boolean' };
export const anyObject: Shape = { kind: 'anyObject' };
export const anything: Shape = { kind: 'anything' };

/**
 * Svix's ids: the prefix and 27 characters [A-Za-z0-9] (a KSUID in base62). Deliberately also a ULID
 * (26 Crockford base32 characters): rows created before Homing 0.2 keep the ids they were given.
 */
export function id(prefix: string): Shape {
  return { kind: 'text', pattern: new RegExp(`^${prefix}_(?:[A-Za-z0-9]{27}|[0-9A-HJKMNP-TV-Z]{26})$`), describe: `a ${prefix}_ id` };
}
export function matching(pattern: RegExp, describe: string): Shape {
  return { kind: 'text', pattern, describe };
}
export function oneOf(...values: (string | number)[]): Shape {
  return { kind: 'oneOf', values };
}
export function list(items: Shape): Shape {
  return { kind: 'list', items };
}
export function mapOf(values: Shape): Shape {
  return { kind: 'mapOf', values };
}
export function nullable(shape: Shape): Shape {
  return { kind: 'nullable', shape };
}
/** An object; a key ending in `?` is optional. */
export function record(fields: Record<string, Shape>): Shape {
  return {
    kind: 'record',
    fields: Object.fromEntries(
      Object.entries(fields).map(([key, shape]) => (key.endsWith('?') ? [key.slice(0, -1), { shape, required: false }] : [key, { shape, required: true }])),
    ),
  };
}
/** The same object with more fields, or fields replaced. */
export function extend(base: Shape, fields: Record<string, Shape>): Shape {
  if (base.kind !== 'record') throw new Error('extend() takes a record');
  const more = record(fields);
  return { kind: 'record', fields: { ...base.fields, ...(more as Extract<Shape, { kind: 'record' }>).fields } };
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Where `value` departs from `shape`, one line per difference (`at` is a JSON path). */
export function differences(shape: Shape, value: unknown, at = '$'): string[] {
  switch (shape.kind) {
    case 'nullable':
      return value === null ? [] : differences(shape.shape, value, at);
    case 'anything':
      return value === undefined ? [`${at}: missing`] : [];
    case 'text':
      if (typeof value !== 'string') return [`${at}: expected ${shape.describe}, got ${describe(value)}`];
      return shape.pattern && !shape.pattern.test(value) ? [`${at}: expected ${shape.describe}, got ${JSON.stringify(value)}`] : [];
    case 'dateTime':
      return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))
        ? []
        : [`${at}: expected an RFC 3339 date-time, got ${describe(value)}`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: expected an integer, got ${describe(value)}`];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [`${at}: expected a number, got ${describe(value)}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected a boolean, got ${describe(value)}`];
    case 'oneOf':
      return shape.values.includes(value as string | number) ? [] : [`${at}: expected one of ${shape.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`];
    case 'list':
      if (!Array.isArray(value)) return [`${at}: expected an array, got ${describe(value)}`];
      return value.flatMap((item, index) => differences(shape.items, item, `${at}[${index}]`));
    case 'anyObject':
      return isObject(value) ? [] : [`${at}: expected an object, got ${describe(value)}`];
    case 'mapOf':
      if (!isObject(value)) return [`${at}: expected an object, got ${describe(value)}`];
      return Object.entries(value).flatMap(([key, item]) => differences(shape.values, item, `${at}.${key}`));
    case 'record': {
      if (!isObject(value)) return [`${at}: expected an object, got ${describe(value)}`];
      return Object.entries(shape.fields).flatMap(([key, field]) => {
        if (!(key in value)) return field.required ? [`${at}.${key}: missing`] : [];
        return differences(field.shape, value[key], `${at}.${key}`);
      });
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
