import { STATUS, type EventType } from './portal.api.js';

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** What a Svix status number means, in words. */
export function statusLabel(status: number): string {
  switch (status) {
    case STATUS.success:
      return 'Succeeded';
    case STATUS.fail:
      return 'Failed';
    case STATUS.sending:
      return 'Sending';
    case STATUS.canceled:
      return 'Cancelled';
    default:
      return 'Pending';
  }
}

/** JSON indented; a response body that is not JSON as it came. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function prettyBody(text: string): string {
  try {
    return prettyJson(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Version 1 of a type's JSON schema, the one Svix's examples live in; any JSON as far as the API says. */
function schemaV1(eventType: Pick<EventType, 'schemas'>): ({ examples?: unknown[] } & Record<string, unknown>) | undefined {
  const schema = eventType.schemas?.['1'];
  return schema && typeof schema === 'object' ? (schema as { examples?: unknown[] } & Record<string, unknown>) : undefined;
}

/** The example `send-example` sends: `schemas["1"].examples[0]`; undefined when the type has none. */
export function exampleOf(eventType: Pick<EventType, 'schemas'>): unknown {
  return schemaV1(eventType)?.examples?.[0];
}

/** A schema without its examples, which are shown on their own. */
export function schemaOf(eventType: Pick<EventType, 'schemas'>): Record<string, unknown> | null {
  const schema = schemaV1(eventType);
  if (!schema) return null;
  const { examples: _examples, ...rest } = schema;
  return rest;
}

/** `yyyy-MM-ddTHH:mm` in local time, as a datetime-local input shows it. */
export function toLocalInput(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** The event types an endpoint receives, in a few words. */
export function eventTypesSummary(eventTypes: string[] | null): string {
  if (!eventTypes?.length) return 'All event types';
  return eventTypes.length <= 3 ? eventTypes.join(', ') : `${eventTypes.slice(0, 2).join(', ')} and ${eventTypes.length - 2} more`;
}
