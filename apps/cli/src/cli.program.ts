import { Command, CommanderError, Option } from 'commander';
import { addCatalogCommands } from './catalog.commands.js';
import { CliContext, integer, list, parseJson, pastTime, readText, window } from './cli.context.js';
import { CliError, type CliIo } from './cli.io.js';
import { path, type Schemas } from './dispatcher.client.js';
import { addEndpointCommands } from './endpoints.commands.js';
import { listen } from './listen.command.js';
import { recover } from './recover.command.js';
import { clock, table } from './output.js';

/** The `homing` command line; `run` parses argv and returns the exit code. */
export function createProgram(io: CliIo): Command {
  const program = new Command('homing')
    .description('Homing dispatcher from a terminal: set up applications and event types, send messages, manage endpoints and their secrets, inspect attempts, recover failures, count deliveries, relay webhooks to your machine')
    .addOption(new Option('--url <url>', 'dispatcher URL').env('HOMING_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--token <token>', 'API token (the operator token, or a portal token for one application)').env('HOMING_API_TOKEN'))
    .addOption(new Option('--app <app>', 'application id or uid, for the commands that work in one').env('HOMING_APP'))
    .option('--json', 'print JSON (one document, or one line per event for listen) instead of text', false)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });

  const cli = new CliContext(io);

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
      const { options, client } = cli.of(command);
      const payload = parseJson(payloadText === '-' ? readText('-') : payloadText, 'payload');
      const message = await client.post<Schemas['MessageOut']>(path`app/${cli.app(options)}/msg`, {
        eventType,
        payload,
        eventId: flags.eventId,
        channels: flags.channel,
        tags: flags.tag,
        requestId: flags.requestId,
        payloadRetentionPeriod: flags.retention,
      });
      cli.print(options, message, () => [`sent ${message.id} (${message.eventType})`]);
    });

  addEndpointCommands(program, cli);
  addCatalogCommands(program, cli);

  program
    .command('attempts')
    .description('the delivery attempts of a message, newest first')
    .argument('<msg>', 'message id or eventId')
    .action(async (msgId: string, _flags, command: Command) => {
      const { options, client } = cli.of(command);
      const appId = cli.app(options);
      const message = await client.get<Schemas['MessageOut']>(path`app/${appId}/msg/${msgId}`, { with_content: false });
      const attempts = await client.all<Schemas['MessageAttemptOut']>(path`app/${appId}/attempt/msg/${message.id}`, { with_content: false });
      cli.print(options, attempts, () =>
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
      const { options, client } = cli.of(command);
      const since = pastTime(flags.since, '--since');
      const until = flags.until === undefined ? undefined : pastTime(flags.until, '--until');
      const result = await recover(client, { app: cli.app(options), endpoint: endpointId, since, until, wait: flags.wait }, io);
      cli.print(options, result, () => {
        if (!result.finished) return [`recovery ${result.taskId} started (${result.messagesSent ?? '?'} deliveries queued)`];
        if (result.messagesSent) return [`recovered ${result.messagesSent} deliveries: ${result.succeeded} succeeded, ${result.failed} failed again`];
        const retrying = result.retrying
          ? [`${result.retrying} deliveries to ${endpointId} failed and wait on a scheduled retry (not failed for good yet); homing endpoints retry-now ${endpointId} sends them now`]
          : [];
        return [`nothing to recover: no failed deliveries to ${endpointId} of messages created since ${since.toISOString()}`, ...retrying];
      });
    });

  program
    .command('listen')
    .description("relay webhooks to a local URL: the dispatcher hosts an inbox URL for endpoints; each request to it is forwarded here (headers and body unchanged) and answered with your server's answer")
    .argument('<localUrl>', 'e.g. http://localhost:3000/webhooks')
    .addOption(new Option('--inbox <id>', 'reuse an inbox (and its URL) from an earlier run').env('HOMING_RELAY_INBOX'))
    .option('--endpoint <uid>', "point the application's endpoint with this uid at the inbox URL (made if missing) and print its secret")
    .action(async (localUrl: string, flags, command: Command) => {
      const { options, client } = cli.of(command);
      const endpoint = flags.endpoint === undefined ? undefined : { app: cli.app(options), uid: flags.endpoint as string };
      await listen(client, { localUrl, inbox: flags.inbox, endpoint, json: options.json }, io);
    });

  program
    .command('messages')
    .description("an application's messages")
    .command('expunge')
    .description("delete a message's content (payload and the attempts' response bodies); its record and attempts stay")
    .argument('<msg>', 'message id or eventId')
    .action(async (msgId: string, _flags, command: Command) => {
      const { options, client } = cli.of(command);
      const appId = cli.app(options);
      const message = await client.get<Schemas['MessageOut']>(path`app/${appId}/msg/${msgId}`, { with_content: false });
      await client.delete(path`app/${appId}/msg/${message.id}/content`);
      cli.print(options, { id: message.id, expunged: true }, () => [`expunged the content of ${message.id}`]);
    });

  const stats = program.command('stats').description('delivery statistics');
  stats
    .command('attempts')
    .description("the application's attempts that succeeded, failed or were cancelled, period by period (each retry counts)")
    .option('--since <time>', 'ISO time, or how long ago (at most 28 days before --until)', '24h')
    .option('--until <time>', 'ISO time, or how long ago (default now)')
    .addOption(new Option('--period <period>', 'counted by').choices(Object.keys(PERIODS)).default('hour'))
    .option('--event-types <types>', 'comma-separated event types', list)
    .action(async (flags, command: Command) => {
      const { options, client } = cli.of(command);
      const range = window(flags);
      const series = await client.get<Schemas['AttemptStatisticsResponse']>(path`stats/app/${cli.app(options)}/attempt`, {
        startDate: range.since,
        endDate: range.until,
        period: PERIODS[flags.period as keyof typeof PERIODS],
        event_types: flags.eventTypes?.join(','),
      });
      const [successCount, failureCount, canceledCount] = [series.data.successCount, series.data.failureCount, series.data.canceledCount].map((counts) => counts ?? []);
      const sum = (counts: number[]) => String(counts.reduce((total, count) => total + count, 0));
      const step = PERIOD_MS[series.period];
      cli.print(options, series, () =>
        table([
          ['PERIOD (UTC)', 'SUCCEEDED', 'FAILED', 'CANCELLED'],
          ...successCount.map((success, i) => [new Date(Date.parse(series.startDate) + i * step).toISOString().slice(0, 16).replace('T', ' '), String(success), String(failureCount[i]), String(canceledCount[i])]),
          ['total', sum(successCount), sum(failureCount), sum(canceledCount)],
        ]),
      );
    });
  stats
    .command('endpoints')
    .description('endpoints enabled and disabled, over every application (operator token)')
    .action(async (_flags, command: Command) => {
      const { options, client } = cli.of(command);
      const counts = await client.get<Schemas['EndpointCountOut']>('stats/endpoint/count');
      cli.print(options, counts, () => [`${counts.active} enabled, ${counts.disabled} disabled`]);
    });

  return program;
}

/** The --period names, as Svix's statistics name them. */
const PERIODS = { '5m': 'FiveMinutes', hour: 'OneHour', day: 'OneDay' } as const;
const PERIOD_MS = { FiveMinutes: 300_000, OneHour: 3_600_000, OneDay: 86_400_000 } as const;

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
