import { describe, expect, it } from 'vitest';
import { signatureSchemeProblem } from './validation.js';

describe('signatureSchemeProblem', () => {
  it('accepts the two schemes, with header names or none', () => {
    expect(signatureSchemeProblem({ type: 'standard-webhooks' })).toBeNull();
    expect(signatureSchemeProblem({ type: 'body-hmac' })).toBeNull();
    expect(signatureSchemeProblem({ type: 'body-hmac', header: 'X-Signature', accountHeader: null })).toBeNull();
  });

  it('names what is wrong', () => {
    expect(signatureSchemeProblem('body-hmac')).toMatch(/^must be \{ type: 'standard-webhooks' \}/);
    expect(signatureSchemeProblem({ type: 'hmac' })).toBe("type must be 'standard-webhooks' or 'body-hmac'");
    expect(signatureSchemeProblem({ type: 'body-hmac', secret: 'x' })).toBe('has unknown fields: secret');
    expect(signatureSchemeProblem({ type: 'standard-webhooks', header: 'X-Sig' })).toBe('standard-webhooks takes no header names');
    expect(signatureSchemeProblem({ type: 'body-hmac', header: 'bad header' })).toBe('header: "bad header" is not a valid header name');
    expect(signatureSchemeProblem({ type: 'body-hmac', accountHeader: 'svix-id' })).toMatch(/^accountHeader: "svix-id" is reserved/);
    expect(signatureSchemeProblem({ type: 'body-hmac', header: null })).toBe('header must be a header name');
  });
});
