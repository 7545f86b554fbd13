import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CliError, type CliIo } from './cli.io.js';
import { DispatcherClient, path, type Schemas } from './dispatcher.client.js';
import { listen } from './listen.command.js';
import { recover } from './recover.command.js';
import { clock, table } from './output.js';

interface GlobalOptions {
  url: string;
  token?: string;
  app?: string;
  json: boolean;
}

/** The `homing` command line; `run` parses argv and returns the exit code. */
export function createProgram(io: CliIo): Command {
  const program = new Command('homing')
    .description('Homing dispatcher from a terminal: send messages, manage endpoints, inspect attempts, recover failures, relay webhooks to your machine')
    .addOption(new Option('--url <url>', 'dispatcher URL').env('HOMING_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--token <token>', 'API token (the operator token, or a portal token for one application)').env('HOMING_API_TOKEN'))
    .addOption(new Option('--app <app>', 'application id or uid, for the commands that work in one').env('HOMING_APP'))
    .option('--json', 'print JSON (one document, or one line per event for listen) instead of text', false)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });

  const context = (command: Command) => {
    const options = command.optsWithGlobals<GlobalOptions>();
    return { options, client: new DispatcherClient({ url: options.url, token: options.token }) };
  };
  const app = (options: GlobalOptions) => {
    if (!options.app) throw new CliError('no application: pass --app or set HOMING_APP');
    return options.app;
  };
  const print = (options: GlobalOptions, value: unknown, lines: () => string[]) => (options.json ? io.out(JSON.stringify(value, null, 2)) : lines().forEach(io.out));

  program
    .command('send')
    .description('send a message to the application')
    .argument('<eventType>', 'event type, e.g. order.completed')
    .argument('[payload]', "the JSON payload; '-' reads it from stdin", '{}')
    .option('--event-id <id>', 'your unique id for the message (a second one is refused)')
    .option('--channel <channel...>', 'channels')
    .option('--tag <tag...>', 'tags')
    .option('--request-id <id>', 'correlation id linking related messages (the envelope requestId)')
    .option('--retention <days>', 'days the payload is kept', integer)
    .action(async (eventType: string, payloadText: string, flags, command: Command) => {
      const { options, client } = context(command);
      const payload = parseJson(payloadText === '-' ? readFileSync(0, 'utf8') : payloadText, 'payload');
      const message = await client.post<Schemas['MessageOut']>(path`app/${app(options)}/msg`, {
        eventType,
        payload,
        eventId: flags.eventId,
        channels: flags.channel,
        tags: flags.tag,
        requestId: flags.requestId,
        payloadRetentionPeriod: flags.retention,
      });
      print(options, message, () => [`sent ${message.id} (${message.eventType})`]);
    });

  const endpoints = program.command('endpoints').description("the application's endpoints");
  endpoints
    .command('list')
    .description('list the endpoints')
    .action(async (_flags, command: Command) => {
      const { options, client } = context(command);
      const list = await client.all<Schemas['EndpointOut']>(path`app/${app(options)}/endpoint`);
      print(options, list, () =>
        list.length === 0
          ? ['no endpoints']
          : table([
              ['ID', 'UID', 'STATE', 'RATE', 'EVENT TYPES', 'URL'],
              ...list.map((endpoint) => [
                endpoint.id,
                endpoint.uid ?? '-',
                endpoint.disabled ? 'disabled' : 'enabled',
                endpoint.throttleRate ? `${endpoint.throttleRate}/s` : '-',
                endpoint.eventTypes?.join(',') ?? 'all',
                endpoint.url,
              ]),
            ]),
      );
    });
  endpoints
    .command('add')
    .description('add an endpoint (a secret is generated; the key its receiver verifies with, whsec_ or whpk_, is shown)')
    .argument('<url>', 'where deliveries go')
    .option('--uid <uid>', 'your own id for it')
    .option('--description <text>', 'description')
    .option('--event-types <types>', 'comma-separated event types (a trailing .* matches a subtree); default all', list)
    .option('--channels <channels>', 'comma-separated channels', list)
    .option('--throttle-rate <n>', 'deliveries per second at most', integer)
    .action(async (url: string, flags, command: Command) => {
      const { options, client } = context(command);
      const appId = app(options);
      const endpoint = await client.post<Schemas['EndpointOut']>(path`app/${appId}/endpoint`, {
        url,
        uid: flags.uid,
        description: flags.description,
        eventTypes: flags.eventTypes,
        channels: flags.channels,
        throttleRate: flags.throttleRate,
      });
      const { key } = await client.get<Schemas['EndpointSecretOut']>(path`app/${appId}/endpoint/${endpoint.id}/secret`);
      print(options, { ...endpoint, secret: key }, () => [`added ${endpoint.id} ${endpoint.url}`, `secret ${key}`]);
    });
  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    endpoints
      .command(name)
      .description(`${name} an endpoint${disabled ? '' : ' (its failure history is cleared)'}`)
      .argument('<endpoint>', 'endpoint id or uid')
      .action(async (endpointId: string, _flags, command: Command) => {
        const { options, client } = context(command);
        const endpoint = await client.patch<Schemas['EndpointOut']>(path`app/${app(options)}/endpoint/${endpointId}`, { disabled });
        print(options, endpoint, () => [`${name}d ${endpoint.id} ${endpoint.url}`]);
      });
  }

  program
    .command('attempts')
    .description('the delivery attempts of a message, newest first')
    .argument('<msg>', 'message id or eventId')
    .action(async (msgId: string, _flags, command: Command) => {
      const { options, client } = context(command);
      const appId = app(options);
      const message = await client.get<Schemas['MessageOut']>(path`app/${appId}/msg/${msgId}`, { with_content: false });
      const attempts = await client.all<Schemas['MessageAttemptOut']>(path`app/${appId}/attempt/msg/${message.id}`, { with_content: false });
      print(options, attempts, () =>
        attempts.length === 0
          ? [`no attempts of ${message.id} yet`]
          : table([
              ['TIME', 'ENDPOINT', 'RESULT', 'HTTP', 'DURATION', 'TRIGGER'],
              ...attempts.map((attempt) => [
                `${attempt.timestamp.slice(0, 10)} ${clock(new Date(attempt.timestamp))}`,
                attempt.endpointId,
                attempt.statusText,
                attempt.responseStatusCode === 0 ? 'none' : String(attempt.responseStatusCode),
                `${attempt.responseDurationMs} ms`,
                attempt.triggerType === 0 ? 'scheduled' : 'manual',
              ]),
            ]),
      );
    });

  program
    .command('recover')
    .description('send again every failed delivery to an endpoint of messages created since a time, with progress')
    .argument('<endpoint>', 'endpoint id or uid')
    .requiredOption('--since <time>', 'ISO time, or how long ago: 30m, 2h, 3d')
    .option('--until <time>', 'ISO time, or how long ago')
    .option('--no-wait', 'return once the recovery has started')
    .action(async (endpointId: string, flags, command: Command) => {
      const { options, client } = context(command);
      const since = pastTime(flags.since, '--since');
      const until = flags.until === undefined ? undefined : pastTime(flags.until, '--until');
      const result = await recover(client, { app: app(options), endpoint: endpointId, since, until, wait: flags.wait }, io);
      print(options, result, () => [
        result.finished
          ? `recovered ${result.messagesSent} deliveries: ${result.succeeded} succeeded, ${result.failed} failed again`
          : `recovery ${result.taskId} started (${result.messagesSent ?? '?'} deliveries queued)`,
      ]);
    });

  program
    .command('listen')
    .description("relay webhooks to a local URL: the dispatcher hosts an inbox URL for endpoints; each request to it is forwarded here (headers and body unchanged) and answered with your server's answer")
    .argument('<localUrl>', 'e.g. http://localhost:3000/webhooks')
    .addOption(new Option('--inbox <id>', 'reuse an inbox (and its URL) from an earlier run').env('HOMING_RELAY_INBOX'))
    .action(async (localUrl: string, flags, command: Command) => {
      const { options, client } = context(command);
      await listen(client, { localUrl, inbox: flags.inbox, json: options.json }, io);
    });

  return program;
}

/** Runs the CLI with `argv` as `process.argv` has it; resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${what} is not valid JSON: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`);
  }
}

function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new CliError(`expected a whole number, got "${value}"`);
  return Number(value);
}

function list(value: string): string[] {
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
