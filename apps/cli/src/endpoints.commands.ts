import type { Command } from 'commander';
import { type CliContext, integer, list, readText, window } from './cli.context.js';
import { path, type Schemas } from './dispatcher.client.js';
import { withAllowHint } from './listen.command.js';
import { followTask } from './recover.command.js';
import { table } from './output.js';

/** `homing endpoints ...`: an application's endpoints, their secrets, and the operator's actions on one. */
export function addEndpointCommands(program: Command, cli: CliContext): void {
  const endpoints = program.command('endpoints').description("the application's endpoints");
  endpoints
    .command('list')
    .description('list the endpoints')
    .action(async (_flags, command: Command) => {
      const { options, client } = cli.of(command);
      const list = await client.all<Schemas['EndpointOut']>(path`app/${cli.app(options)}/endpoint`);
      cli.print(options, list, () =>
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
    .option('--secret <key>', 'the signing secret its receiver already has (whsec_...), instead of a new one')
    .action(async (url: string, flags, command: Command) => {
      const { options, client } = cli.of(command);
      const appId = cli.app(options);
      const endpoint = await client
        .post<Schemas['EndpointOut']>(path`app/${appId}/endpoint`, {
          url,
          uid: flags.uid,
          description: flags.description,
          eventTypes: flags.eventTypes,
          channels: flags.channels,
          throttleRate: flags.throttleRate,
          secret: flags.secret,
        })
        .catch(async (error: unknown) => {
          throw await withAllowHint(error, url);
        });
      const { key } = await client.get<Schemas['EndpointSecretOut']>(path`app/${appId}/endpoint/${endpoint.id}/secret`);
      cli.print(options, { ...endpoint, secret: key }, () => [`added ${endpoint.id} ${endpoint.url}`, `secret ${key}`]);
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
        const { options, client } = cli.of(command);
        const endpoint = await client.patch<Schemas['EndpointOut']>(path`app/${cli.app(options)}/endpoint/${endpointId}`, { disabled });
        cli.print(options, endpoint, () => [`${name}d ${endpoint.id} ${endpoint.url}`]);
      });
  }

  const secret = endpoints.command('secret').description("an endpoint's signing secret");
  secret
    .command('show')
    .description('print the secret its receiver verifies with')
    .argument('<endpoint>', 'endpoint id or uid')
    .action(async (endpointId: string, _flags, command: Command) => {
      const { options, client } = cli.of(command);
      const { key } = await client.get<Schemas['EndpointSecretOut']>(path`app/${cli.app(options)}/endpoint/${endpointId}/secret`);
      cli.print(options, { key }, () => [key]);
    });
  const rotate = async (command: Command, endpointId: string, key?: string) => {
    const { options, client } = cli.of(command);
    const base = path`app/${cli.app(options)}/endpoint/${endpointId}/secret`;
    await client.post(`${base}/rotate`, { key, gracePeriodSeconds: command.opts<{ gracePeriod?: number }>().gracePeriod });
    const current = await client.get<Schemas['EndpointSecretOut']>(base);
    cli.print(options, current, () => [`${key ? 'set' : 'rotated'} the secret of ${endpointId}; the old one keeps signing alongside it for the grace period`, `secret ${current.key}`]);
  };
  const GRACE = ['--grace-period <seconds>', 'how long the old secret keeps signing too (0 to 604800; default 86400)'] as const;
  secret
    .command('rotate')
    .description('sign with a new generated secret, printed')
    .argument('<endpoint>', 'endpoint id or uid')
    .option(...GRACE, integer)
    .action((endpointId: string, _flags, command: Command) => rotate(command, endpointId));
  secret
    .command('set')
    .description('sign with the secret given, e.g. the one a receiver already has')
    .argument('<endpoint>', 'endpoint id or uid')
    .argument('<key>', "the secret (whsec_ and base64 of 24 to 64 bytes), or '-' to read it from stdin")
    .option(...GRACE, integer)
    .action((endpointId: string, key: string, _flags, command: Command) => rotate(command, endpointId, key === '-' ? readText('-').trim() : key));

  endpoints
    .command('stats')
    .description("the endpoint's deliveries by status (pending: waiting for an attempt or a retry)")
    .argument('<endpoint>', 'endpoint id or uid')
    .option('--since <time>', 'of messages created since: ISO time, or how long ago')
    .option('--until <time>', 'ISO time, or how long ago')
    .action(async (endpointId: string, flags, command: Command) => {
      const { options, client } = cli.of(command);
      const range = flags.since === undefined ? {} : window(flags);
      const stats = await client.get<Schemas['EndpointStats']>(path`app/${cli.app(options)}/endpoint/${endpointId}/stats`, range);
      cli.print(options, stats, () =>
        table([
          ['SUCCEEDED', 'FAILED', 'PENDING', 'SENDING', 'CANCELLED'],
          [stats.success, stats.fail, stats.pending, stats.sending, stats.canceled].map(String),
        ]),
      );
    });

  endpoints
    .command('replay-missing')
    .description("send the endpoint the messages created in the window that it has no delivery of (sent before it existed or subscribed), one attempt each")
    .argument('<endpoint>', 'endpoint id or uid')
    .requiredOption('--since <time>', 'ISO time, or how long ago: 30m, 2h, 3d (at most 14 days)')
    .option('--until <time>', 'ISO time, or how long ago')
    .action(async (endpointId: string, flags, command: Command) => {
      const { options, client } = cli.of(command);
      const started = await client.post<Schemas['BackgroundTaskOut']>(path`app/${cli.app(options)}/endpoint/${endpointId}/replay-missing`, window(flags));
      const task = await followTask(client, started, () => cli.io.status('queueing the missing messages...'));
      if (cli.io.interactive) cli.io.err('');
      const sent = task.data.messagesSent ?? 0;
      cli.print(options, task, () => [sent === 0 ? `nothing missing: ${endpointId} has a delivery of every message of the window` : `sent ${sent} missing messages to ${endpointId}`]);
    });

  endpoints
    .command('retry-now')
    .description('attempt now every delivery to the endpoint that is waiting for a retry, instead of on its schedule')
    .argument('<endpoint>', 'endpoint id or uid')
    .action(async (endpointId: string, _flags, command: Command) => {
      const { options, client } = cli.of(command);
      const result = await client.post<Schemas['RetryNowOut']>(path`app/${cli.app(options)}/endpoint/${endpointId}/retry-now`);
      cli.print(options, result, () => [result.retried === 0 ? `nothing waiting for a retry at ${endpointId}` : `retrying ${result.retried} deliveries to ${endpointId} now`]);
    });
}
