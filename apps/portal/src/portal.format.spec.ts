import { describe, expect, it } from 'vitest';
import { errorMessage, type EventType } from './portal.api.js';
import { eventTypesSummary, exampleOf, formatDuration, prettyBody, schemaOf, statusLabel } from './portal.format.js';

const ORDER: Pick<EventType, 'name' | 'description' | 'deprecated' | 'groupName' | 'schemas'> = {
  name: 'order.completed',
  description: 'An order was paid',
  deprecated: false,
  groupName: null,
  schemas: { '1': { type: 'object', examples: [{ id: 'ord_1' }, { id: 'ord_2' }] } },
};

describe('portal formatting', () => {
  it('shows durations in ms below a second and in seconds above', () => {
    expect(formatDuration(42)).toBe('42 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(15_050)).toBe('15.1 s');
  });

  it('indents JSON response bodies and leaves others as they came', () => {
    expect(prettyBody('{"ok":true}')).toBe('{\n  "ok": true\n}');
    expect(prettyBody('<h1>Bad gateway</h1>')).toBe('<h1>Bad gateway</h1>');
  });

  it('names Svix statuses', () => {
    expect([0, 1, 2, 3].map(statusLabel)).toEqual(['Succeeded', 'Pending', 'Failed', 'Sending']);
  });

  it("takes the example send-example sends and the schema without its examples", () => {
    expect(exampleOf(ORDER)).toEqual({ id: 'ord_1' });
    expect(schemaOf(ORDER)).toEqual({ type: 'object' });
    expect(exampleOf({ ...ORDER, schemas: null })).toBeUndefined();
    expect(schemaOf({ ...ORDER, schemas: null })).toBeNull();
  });

  it('summarises subscribed event types', () => {
    expect(eventTypesSummary(null)).toBe('All event types');
    expect(eventTypesSummary([])).toBe('All event types');
    expect(eventTypesSummary(['a', 'b'])).toBe('a, b');
    expect(eventTypesSummary(['a', 'b', 'c', 'd'])).toBe('a, b and 2 more');
  });

  it("reads Svix's error bodies, naming the fields of a 422", () => {
    expect(errorMessage(404, { code: 'not_found', detail: 'endpoint not found' })).toBe('endpoint not found');
    expect(errorMessage(422, { detail: [{ loc: ['body', 'url'], msg: 'loopback addresses are not allowed', type: 'value_error' }] })).toBe(
      'url: loopback addresses are not allowed',
    );
    // The dispatcher's own messages name their field: it is not said twice.
    expect(errorMessage(422, { detail: [{ loc: ['body', 'headers'], msg: 'headers: "Host" is reserved', type: 'isHeaderMap' }] })).toBe('headers: "Host" is reserved');
    expect(errorMessage(422, { detail: [{ loc: ['body', 'url'], msg: 'This URL points to a private network address', type: 'value_error.url.forbidden' }] })).toBe(
      'This URL points to a private network address',
    );
    expect(errorMessage(502, undefined)).toBe('the server answered 502');
  });
});
