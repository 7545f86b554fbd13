/** Where the CLI writes, and when `listen` stops: the process in `main`, captured in tests. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Progress bars are drawn only on a terminal. */
  interactive: boolean;
  /** Redraws the current stderr line (progress); a no-op when not interactive. */
  status(line: string): void;
  /** Aborted: `listen` disconnects and returns. */
  signal?: AbortSignal;
}

/** A failure to report in one line and exit 1 (bad input, an API error, an unreachable dispatcher). */
export class CliError extends Error {}

export function processIo(signal: AbortSignal): CliIo {
  const interactive = Boolean(process.stderr.isTTY);
  quietOnClosedPipe();
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    interactive,
    status: (line) => void (interactive && process.stderr.write(`\r\x1b[2K${line}`)),
    signal,
  };
}

/**
 * A reader that goes away (`homing endpoints list | head -1`) is not a failure: once stdout's pipe is
 * closed nothing more can be said, so the CLI ends quietly with exit 0, as a shell tool killed by SIGPIPE
 * would; a closed stderr only drops the messages. Any other write error stays an error.
 */
function quietOnClosedPipe(): void {
  const onError = (stream: NodeJS.WriteStream) => (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (stream === process.stdout) process.exit(0);
    stream.write = () => true;
  };
  process.stdout.on('error', onError(process.stdout));
  process.stderr.on('error', onError(process.stderr));
}
