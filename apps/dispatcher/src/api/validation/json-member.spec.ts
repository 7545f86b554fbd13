import { describe, expect, it } from 'vitest';
import { memberText } from './json-member.js';

describe('memberText', () => {
  it('returns the value of a top-level member exactly as written', () => {
    const body = '{"eventType":"a.b", "payload" : {"id":12345678901234567890,"f":1.0,"e":1e2,"n":-0, "s":"\\u00e9\\n"} ,"tags":["x"]}';
    expect(memberText(body, 'payload')).toBe('{"id":12345678901234567890,"f":1.0,"e":1e2,"n":-0, "s":"\\u00e9\\n"}');
  });

  it('finds members whose value is an array, a string, a number or a literal', () => {
    const body = '{"a":[1,[2,{"payload":3}]],"b":"x\\"y","c":-1.50E+3,"d":null}';
    expect(memberText(body, 'a')).toBe('[1,[2,{"payload":3}]]');
    expect(memberText(body, 'b')).toBe('"x\\"y"');
    expect(memberText(body, 'c')).toBe('-1.50E+3');
    expect(memberText(body, 'd')).toBe('null');
  });

  it('ignores nested members of the same name and keeps the last top-level one, as JSON.parse does', () => {
    expect(memberText('{"x":{"payload":1}}', 'payload')).toBeUndefined();
    expect(memberText('{"payload":{"v":1},"payload":{"v":2}}', 'payload')).toBe('{"v":2}');
  });

  it('matches a member name written with escapes by its value', () => {
    expect(memberText('{"pay\\u006coad":{"v":1}}', 'payload')).toBe('{"v":1}');
  });

  it('agrees with JSON.parse on what the value is', () => {
    const body = JSON.stringify({ eventType: 'order.paid', payload: { list: [1, 2, { deep: [[], {}] }], t: 'ü"\\' }, eventId: 'e1' }, null, 2);
    expect(JSON.parse(memberText(body, 'payload')!)).toEqual(JSON.parse(body).payload);
  });
});
