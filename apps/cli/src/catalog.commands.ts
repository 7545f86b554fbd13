import type { Command } from 'commander';
import { type CliContext, list, parseJson, readText } from './cli.context.js';
import { CliError } from './cli.io.js';
import { path, type Schemas } from './dispatcher.client.js';
import { table } from './output.js';

/** What a JSON list of event types may give for each, as `event-types list --json` prints them. */
const EVENT_TYPE_FIELDS = ['description', 'archived', 'deprecated', 'schemas', 'groupName', 'featureFlags'] as const;

/** `homing applications ...` and `homing event-types ...`: what the operator sets up before sending. */
export function addCatalogCommands(program: Command, cli: CliContext): void {
  const applications = program.command('applications').description("the dispatcher's applications (operator token)");
  applications
    .command('list')
    .description('list the applications')
    .action(async (_flags, command: Command) => {
      const { options, client } = cli.of(command);
      const apps = await client.all<Schemas['ApplicationOut']>('app');
      cli.print(options, apps, () =>
        apps.length === 0
          ? ['no applications']
          : table([['ID', 'UID', 'CREATED', 'NAME'], ...apps.map((app) => [app.id, app.uid ?? '-', app.createdAt.slice(0, 10), app.name])]),
      );
    });
  applications
    .command('create')
    .description('create an application (use its id or uid as --app / HOMING_APP)')
    .argument('<name>', 'its name, as customers see it')
    .option('--uid <uid>', 'your own id for it')
    .option('--metadata <key=value...>', 'metadata entries')
    .action(async (name: string, flags, command: Command) => {
      const { options, client } = cli.of(command);
      const app = await client.post<Schemas['ApplicationOut']>('app', { name, uid: flags.uid, metadata: flags.metadata && metadata(flags.metadata) });
      cli.print(options, app, () => [`created ${app.id}${app.uid ? ` (${app.uid})` : ''} ${app.name}`]);
    });

  const eventTypes = program.command('event-types').description('the event types messages are sent as');
  eventTypes
    .command('list')
    .description('list the event types (with --json: with their schemas)')
    .option('--archived', 'archived ones too')
    .action(async (flags, command: Command) => {
      const { options, client } = cli.of(command);
      const types = await client.all<Schemas['EventTypeOut']>('event-type', { include_archived: Boolean(flags.archived), with_content: options.json });
      cli.print(options, types, () =>
        types.length === 0
          ? ['no event types']
          : table([
              ['NAME', 'STATE', 'GROUP', 'DESCRIPTION'],
              ...types.map((type) => [type.name, type.archived ? 'archived' : type.deprecated ? 'deprecated' : 'active', type.groupName ?? '-', type.description]),
            ]),
      );
    });
  eventTypes
    .command('create')
    .description('create an event type')
    .argument('<name>', 'e.g. order.completed')
    .requiredOption('--description <text>', 'what it means, as customers read it')
    .option('--schema <file>', "a JSON Schema of its payload (stored as version 1); '-' reads stdin")
    .option('--group <name>', 'group it is listed under')
    .option('--feature-flags <flags>', 'comma-separated: only portal tokens with one of them see it', list)
    .option('--deprecated', 'mark it deprecated')
    .action(async (name: string, flags, command: Command) => {
      const { options, client } = cli.of(command);
      const type = await client.post<Schemas['EventTypeOut']>('event-type', {
        name,
        description: flags.description,
        schemas: flags.schema === undefined ? undefined : { 1: parseJson(readText(flags.schema), flags.schema) },
        groupName: flags.group,
        featureFlags: flags.featureFlags,
        deprecated: flags.deprecated,
      });
      cli.print(options, type, () => [`created ${type.name}`]);
    });
  eventTypes
    .command('import')
    .description(
      'create or update event types from a file: an OpenAPI document (JSON or YAML; each of its webhooks is an event type) ' +
        'or a JSON list of event types as `event-types list --json` prints them',
    )
    .argument('<file>', "the file; '-' reads stdin")
    .option('--dry-run', 'print what would change, change nothing (OpenAPI only)')
    .option('--replace-all', 'archive the event types the document does not list (OpenAPI only)')
    .action(async (file: string, flags, command: Command) => {
      const { options, client } = cli.of(command);
      const text = readText(file);
      const types = eventTypeList(text);
      if (types) {
        if (flags.dryRun || flags.replaceAll) throw new CliError('--dry-run and --replace-all apply to an OpenAPI document, not a list of event types');
        const names: string[] = [];
        for (const type of types) {
          const fields = Object.fromEntries(EVENT_TYPE_FIELDS.filter((field) => field in type).map((field) => [field, type[field]]));
          names.push((await client.put<Schemas['EventTypeOut']>(path`event-type/${String(type.name)}`, fields)).name);
        }
        cli.print(options, { modified: names }, () => [`imported ${names.length} event types${names.length ? `: ${names.join(', ')}` : ''}`]);
        return;
      }
      const result = await client.post<Schemas['EventTypeImportOpenApiOut']>('event-type/import/openapi', { specRaw: text, dryRun: Boolean(flags.dryRun), replaceAll: Boolean(flags.replaceAll) });
      const { modified, to_modify: toModify } = result.data;
      cli.print(options, result, () =>
        flags.dryRun
          ? [`would create or update ${toModify?.length ?? 0} event types${toModify?.length ? `: ${toModify.map((type) => type.name).join(', ')}` : ''}`]
          : [`imported ${modified.length} event types${modified.length ? `: ${modified.join(', ')}` : ''}`],
      );
    });
}

function metadata(entries: string[]): Record<string, string> {
  return Object.fromEntries(
    entries.map((entry) => {
      const equals = entry.indexOf('=');
      if (equals <= 0) throw new CliError(`--metadata: expected key=value, got "${entry}"`);
      return [entry.slice(0, equals), entry.slice(equals + 1)];
    }),
  );
}

/** The event types of a JSON list (each with a name), or null when the text is something else (an OpenAPI document). */
function eventTypeList(text: string): Record<string, unknown>[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'object' || item === null || typeof (item as { name?: unknown }).name !== 'string') throw new CliError(`item ${i} of the list is not an event type with a name`);
  }
  return value as Record<string, unknown>[];
}
