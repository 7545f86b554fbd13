const UNIT_BYTES = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;
const BYTE_SIZE = /^(\d+(?:\.\d+)?)(b|kb|mb|gb)$/i;

/** Parses `512kb`, `1mb`, `2gb` (or a bare number of bytes) into bytes. */
export function parseByteSize(value: string | number, what = 'size'): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${what}: expected a positive whole number of bytes, got ${value}`);
    return value;
  }
  const text = value.trim();
  if (/^\d+$/.test(text) && Number(text) > 0) return Number(text);
  const match = BYTE_SIZE.exec(text);
  if (!match || Number(match[1]) === 0) throw new Error(`${what}: "${value}" is not a size (use a number with b, kb, mb or gb, e.g. 1mb)`);
  return Math.floor(Number(match[1]) * UNIT_BYTES[match[2].toLowerCase() as keyof typeof UNIT_BYTES]);
}
