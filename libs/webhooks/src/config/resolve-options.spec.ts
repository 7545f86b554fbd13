import { describe, expect, it } from 'vitest';
import { resolveOptions } from './resolve-options.js';

describe('resolveOptions: retention', () => {
  it('keeps rows 90 days by default, takes a duration of a day or more, and off', () => {
    expect(resolveOptions({}).retentionMs).toBe(90 * 86_400_000);
    expect(resolveOptions({ retention: '30d' }).retentionMs).toBe(30 * 86_400_000);
    expect(resolveOptions({ retention: 'off' }).retentionMs).toBeNull();
  });

  it('refuses anything else, naming the option', () => {
    expect(() => resolveOptions({ retention: 'forever' })).toThrow(/^retention: "forever" is not a duration/);
    expect(() => resolveOptions({ retention: '12h' })).toThrow(/^retention: expected off or a duration of at least 1d, got "12h"/);
    expect(() => resolveOptions({ retention: 90 })).toThrow(/^retention: expected off or a duration of at least 1d, got 90/);
  });
});

describe('resolveOptions: background', () => {
  it("is on by default, takes false or 'only', is off with no worker; anything else is refused by name", () => {
    expect(resolveOptions({}).background).toBe(true);
    expect(resolveOptions({ background: false }).background).toBe(false);
    expect(resolveOptions({ background: 'only' }).background).toBe('only');
    expect(resolveOptions({ worker: false, background: 'only' }).background).toBe(false);
    expect(() => resolveOptions({ background: 'yes' as never })).toThrow(/^background: expected true, false or 'only', got "yes"$/);
  });
});
