import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { createScanner, SyntaxKind } from 'jsonc-parser';

const OPENING = new Set([SyntaxKind.OpenBraceToken, SyntaxKind.OpenBracketToken]);
const CLOSING = new Set([SyntaxKind.CloseBraceToken, SyntaxKind.CloseBracketToken]);

/**
 * The text of a top-level member's value in a JSON object, exactly as sent (the last one when the name
 * repeats, as JSON.parse keeps), or undefined. For text JSON.parse has accepted: it tokenizes without
 * building values, so numbers, escapes and spacing stay as the client wrote them.
 */
export function memberText(json: string, name: string): string | undefined {
  const scanner = createScanner(json, true);
  let depth = 0;
  let key: string | undefined;
  let expecting: 'key' | 'value' | 'none' = 'none';
  let start = 0;
  let text: string | undefined;
  for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    if (CLOSING.has(token)) depth -= 1;
    if (depth === 1) {
      const end = scanner.getTokenOffset() + scanner.getTokenLength();
      if (expecting === 'key' && token === SyntaxKind.StringLiteral) key = scanner.getTokenValue();
      else if (token === SyntaxKind.ColonToken) expecting = 'value';
      else if (token === SyntaxKind.CommaToken) expecting = 'key';
      else if (expecting === 'value') {
        start = scanner.getTokenOffset();
        expecting = 'none';
        if (!OPENING.has(token) && key === name) text = json.slice(start, end);
      } else if (CLOSING.has(token) && key === name) text = json.slice(start, end);
    }
    if (OPENING.has(token)) {
      if (depth === 0) expecting = 'key';
      depth += 1;
    }
  }
  return text;
}

/**
 * memberText of the request's body, when its bytes are the text the JSON parser read: JSON in UTF-8. A form-encoded
 * body, or JSON in UTF-16 or UTF-32, gives undefined, as its bytes read as UTF-8 could hold another member's text.
 */
export function requestMemberText(request: RawBodyRequest<Request>, name: string): string | undefined {
  if (!request.rawBody || !request.is('application/json')) return undefined;
  // The parser's charset is the header's (by default UTF-8); any other mention of one is taken as not UTF-8.
  const charsets = Array.from((request.headers['content-type'] ?? '').matchAll(/charset\s*=\s*"?([^";\s]*)/gi), ([, charset]) => charset.toLowerCase());
  return charsets.every((charset) => charset === 'utf-8') ? memberText(request.rawBody.toString('utf8'), name) : undefined;
}
