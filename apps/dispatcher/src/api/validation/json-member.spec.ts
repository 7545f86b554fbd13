import type { RawBodyRequest } from '@nestjs/common';
import express, { type Request } from 'express';
import { describe, expect, it } from 'vitest';
import { memberText, requestMemberText } from './json-member.js';

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

describe('requestMemberText', () => {
  /** A request as Express and the body parsers leave it: the raw bytes kept, `is` reading the content type. */
  const request = (contentType: string, raw: Buffer): RawBodyRequest<Request> =>
    Object.assign(Object.create(express.request) as RawBodyRequest<Request>, { headers: { 'content-type': contentType, 'content-length': String(raw.length) }, rawBody: raw });
  const body = '{"eventType":"a.b","payload":{"n":1.0}}';

  it('reads the member from a JSON body in UTF-8, the charset named or not', () => {
    for (const type of ['application/json', 'Application/JSON; charset=UTF-8', 'application/json; charset="utf-8"']) {
      expect(requestMemberText(request(type, Buffer.from(body)), 'payload'), type).toBe('{"n":1.0}');
    }
  });

  it('reads nothing from a body the JSON parser did not read as UTF-8 text', () => {
    // Form-encoded: its text may hold what looks like JSON, but the payload is what the form says.
    expect(requestMemberText(request('application/x-www-form-urlencoded', Buffer.from('{"payload":{"a":=}}&payload[b]=1')), 'payload')).toBeUndefined();
    expect(requestMemberText(request('application/json; charset=utf-16le', Buffer.from(body, 'utf16le')), 'payload')).toBeUndefined();
    expect(requestMemberText(request('application/json; charset=utf-8; charset=utf-16le', Buffer.from(body)), 'payload')).toBeUndefined();
    expect(requestMemberText(Object.assign(request('application/json', Buffer.from(body)), { rawBody: undefined }), 'payload')).toBeUndefined();
  });
});
