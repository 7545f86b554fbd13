import type { CliIo } from '../../apps/cli/src/cli.io.js';
import { run } from '../../apps/cli/src/cli.program.js';
import { OPERATOR_TOKEN } from '../support/dispatcher-app.js';

/** The CLI's output, captured. */
export function capture(interactive = false) {
  const out: string[] = [];
  const err: string[] = [];
  const status: string[] = [];
  const stop = new AbortController();
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), interactive, status: (line) => status.push(line), signal: stop.signal };
  return { io, out, err, status, stop };
}

/** `homing <args>` in process against a dispatcher, with the operator's token: its exit code and output. */
export async function homingAt(url: string, args: string[], io = capture()) {
  return { code: await run(['node', 'homing', '--url', url, '--token', OPERATOR_TOKEN, ...args], io.io), ...io };
}
