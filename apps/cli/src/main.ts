import { processIo } from './cli.io.js';
import { run } from './cli.program.js';

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
process.exitCode = await run(process.argv, processIo(stop.signal));
