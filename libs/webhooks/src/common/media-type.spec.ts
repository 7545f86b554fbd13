import { describe, expect, it } from 'vitest';
import { isJsonMediaType, isMediaType, MAX_MEDIA_TYPE_LENGTH } from './media-type.js';

describe('isMediaType', () => {
  it('accepts type/subtype with token or quoted parameters, as RFC 7231 writes them', () => {
    for (const type of ['application/xml', 'text/plain; charset=utf-8', 'Text/CSV;header=present', 'multipart/mixed ; boundary="a b;\\"c\\""', 'application/vnd.acme.v2+json']) {
      expect(isMediaType(type), type).toBe(true);
    }
  });

  it('refuses anything a header could not carry as one media type', () => {
    for (const type of ['', 'text', 'text/', '/plain', 'text/plain/x', 'text/pla in', 'text/plain;', 'text/plain; charset', 'text/plain; a="b', 'text/plaïn', 'text/plain\r\nx: 1', 'text/plain\n', 'text/plain\0']) {
      expect(isMediaType(type), JSON.stringify(type)).toBe(false);
    }
    expect(isMediaType(`a/${'b'.repeat(MAX_MEDIA_TYPE_LENGTH - 2)}`)).toBe(true);
    expect(isMediaType(`a/${'b'.repeat(MAX_MEDIA_TYPE_LENGTH - 1)}`)).toBe(false);
    expect(isMediaType(5)).toBe(false);
  });
});

describe('isJsonMediaType', () => {
  it('reads application/json and +json subtypes as JSON whatever their case and parameters, and no type as JSON', () => {
    for (const type of [null, undefined, 'application/json', 'Application/JSON; charset=utf-8', 'application/problem+json', 'application/vnd.acme+json;v=2']) {
      expect(isJsonMediaType(type), String(type)).toBe(true);
    }
    for (const type of ['application/xml', 'text/plain', 'text/json-seq', 'application/jsonl', 'application/json+xml']) {
      expect(isJsonMediaType(type), type).toBe(false);
    }
  });
});
