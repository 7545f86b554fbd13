import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, type CliIo } from './cli.io.js';
import { DispatcherClient } from './dispatcher.client.js';

export interface GlobalOptions {
  url: string;
  token?: string;
  app?: string;
  json: boolean;
}

/** What every command's action needs: its options and a client, the application, and printing in text or JSON. */
export class CliContext {
  constructor(readonly io: CliIo) {}

  of(command: Command): { options: GlobalOptions; client: DispatcherClient } {
    const options = command.optsWithGlobals<GlobalOptions>();
    return { options, client: new DispatcherClient({ url: options.url, token: options.token }) };
  }

  app(options: GlobalOptions): string {
    if (!options.app) throw new CliError('no application: pass --app or set HOMING_APP');
    return options.app;
  }

  /** `value` as JSON with --json, else the lines. */
  print(options: GlobalOptions, value: unknown, lines: () => string[]): void {
    if (options.json) this.io.out(JSON.stringify(value, null, 2));
    else lines().forEach(this.io.out);
  }
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${what} is not valid JSON: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`);
  }
}

/** A file's text ('-': stdin), or a one-line error naming it. */
export function readText(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new CliError(`expected a whole number, got "${value}"`);
  return Number(value);
}

export function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

const AGO = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 } as const;

/** An ISO time, or a duration before now (`2h`). */
export function pastTime(value: string, what: string, now = Date.now()): Date {
  const ago = AGO.exec(value);
  if (ago) return new Date(now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]);
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new CliError(`${what}: expected an ISO time or a duration like 30m, 2h, 3d; got "${value}"`);
  return at;
}

/** `--since` / `--until` as the API takes them (`until` left out when not given). */
export function window(flags: { since: string; until?: string }): { since: string; until?: string } {
  return { since: pastTime(flags.since, '--since').toISOString(), ...(flags.until === undefined ? {} : { until: pastTime(flags.until, '--until').toISOString() }) };
}
