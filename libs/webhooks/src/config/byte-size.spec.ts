import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.js';

describe('parseByteSize', () => {
  it('reads the units and bare byte counts', () => {
    expect(parseByteSize('512b')).toBe(512);
    expect(parseByteSize('100kb')).toBe(102_400);
    expect(parseByteSize('1MB')).toBe(1_048_576);
    expect(parseByteSize('1.5mb')).toBe(1_572_864);
    expect(parseByteSize('2gb')).toBe(2_147_483_648);
    expect(parseByteSize('4096')).toBe(4096);
    expect(parseByteSize(2048)).toBe(2048);
  });

  it('names the setting for a value it cannot read', () => {
    expect(() => parseByteSize('big', 'bodyLimit')).toThrow(/bodyLimit: "big" is not a size/);
    expect(() => parseByteSize('0mb', 'bodyLimit')).toThrow(/not a size/);
    expect(() => parseByteSize(0, 'bodyLimit')).toThrow(/positive whole number/);
  });
});
