import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
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

describe('resolveOptions: backlogCpuCeiling', () => {
  it('is 0.9 by default and takes a share above 0 and at most 1', () => {
    expect(resolveOptions({}).backlogCpuCeiling).toBe(0.9);
    expect(resolveOptions({ backlogCpuCeiling: 0.75 }).backlogCpuCeiling).toBe(0.75);
    expect(resolveOptions({ backlogCpuCeiling: 1 }).backlogCpuCeiling).toBe(1);
  });

  it('refuses anything else, naming the option', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double(), fc.string(), fc.object(), fc.constantFrom(0, -0.5, 1.0001, Number.NaN, Infinity, '0.5', true)),
        (value) => {
          fc.pre(!(typeof value === 'number' && value > 0 && value <= 1));
          expect(() => resolveOptions({ backlogCpuCeiling: value as number })).toThrow(/^backlogCpuCeiling: expected a number above 0 and at most 1, got /);
        },
      ),
    );
  });
});
