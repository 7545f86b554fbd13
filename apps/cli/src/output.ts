import type { CliIo } from './cli.io.js';

/** Columns padded to their widest cell, for human output. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column].length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '));
}

/** `[#########...........]  45%  9/20`, redrawn in place on a terminal. */
export function progress(io: CliIo, done: number, total: number, label: string): void {
  const width = 24;
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  io.status(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${done}/${total}  ${label}`);
}

/** `12:03:04` in local time. */
export function clock(at: Date): string {
  return at.toTimeString().slice(0, 8);
}
