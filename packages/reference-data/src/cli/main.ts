/**
 * npm run reference-data -- publish --kind bots|datacentre|sellers --file <f> [--asi <domain>]
 *   [--version N] [--effective-from <ISO>] [--replace] [--dry-run]
 * npm run reference-data -- retire --kind bots|datacentre|sellers --version N [--asi <domain>]
 * Publishes one version of a reference-data list to its compacted topic (`reference-bots`,
 * `reference-datacentre`, `reference-sellers`), where bidders and the fraud scorer pick it up.
 * Exit status: 0 published, 1 Kafka failed, 2 bad flag, environment or file (the message names it).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  commonEnv,
  createKafka,
  createLogger,
  createPublisher,
  defaultBrokers,
  envRows,
  flagValue,
  loadConfig,
  parseFlags,
  runService,
  UsageError,
  type Closers,
  type CommandSpec,
  type Logger,
  type Publisher,
} from '@streambid/adapters';
import { catalogue, REFERENCE_LIMITS, type TopicDef } from '@streambid/contracts';
import { domainKey } from '../normalise.js';
import { existingVersions } from './existing.js';
import {
  REFERENCE_KINDS,
  REFERENCE_TOPIC,
  referenceMessage,
  type ReferenceKind,
  type ReferenceMessage,
} from './files.js';

const configSchema = z.object(commonEnv);

const COMMAND = {
  name: 'reference-data',
  usage:
    'npm run reference-data -- publish --kind bots|datacentre|sellers --file <f> [--asi <domain>] [--version N] [--effective-from <ISO>] [--replace] [--dry-run] | retire --kind … --version N [--asi <domain>]',
  about:
    'Publishes one version of a reference-data list to its compacted topic; bidders put it in force within seconds of its effective time, and a replay applies it to events from that time on. bots: a JSON array of patterns (regular expressions, case-insensitive, on top of isbot) or {"patterns": [...]}; datacentre: an array of {cidr, provider} or {"ranges": [...]}; sellers: a sellers.json file of the ad system --asi.',
  flags: {
    kind: { value: REFERENCE_KINDS.join('|'), description: 'which list (required)' },
    file: { value: '<file>', description: 'the list, as JSON (publish: required)' },
    asi: {
      value: '<domain>',
      description: 'the ad system whose sellers.json this is (sellers: required)',
    },
    version: {
      value: 'N',
      description:
        'version number (retire: required); publishing an existing one is refused unless --replace',
      default: 'the highest in the topic + 1',
    },
    'effective-from': {
      value: '<ISO>',
      description: 'when the version comes into force (past: also for a replay of that time)',
      default: 'now',
    },
    replace: { description: 'overwrite an existing version (rewrites history for replays)' },
    'dry-run': { description: 'validate and print the message summary; publish nothing' },
  },
  commands: {
    publish: 'publish one version of a list',
    retire:
      'delete one version (a tombstone): from then on a replay of its time applies the next lower version still held, or the built-in list',
  },
  env: envRows(configSchema),
  footer:
    'Exit status: 0 published, 1 Kafka failed, 2 bad flag, environment or file (the message names it).',
} as const satisfies CommandSpec;

interface PublishArgs {
  command: 'publish' | 'retire';
  kind: ReferenceKind;
  file: string;
  asi: string | undefined;
  version: number | undefined;
  effectiveFrom: number;
  replace: boolean;
  dryRun: boolean;
}

function parseArgs(argv: readonly string[]): PublishArgs {
  const { values, positionals } = parseFlags(argv, COMMAND.flags, { positionals: true });
  const [sub, ...rest] = positionals;
  if (sub !== 'publish' && sub !== 'retire')
    throw new UsageError(
      `unknown command ${JSON.stringify(sub ?? '')}; commands: publish, retire`,
      { flag: sub ?? 'publish' },
    );
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  const kind = flagValue(
    'kind',
    z.enum(REFERENCE_KINDS, { message: `one of ${REFERENCE_KINDS.join(', ')}` }),
    values.kind,
  );
  const file =
    sub === 'publish'
      ? flagValue('file', z.string({ message: 'required' }).min(1), values.file)
      : '';
  if (sub === 'retire' && values.version === undefined)
    throw new UsageError('--version: required to retire', { flag: '--version' });
  const asi =
    kind === 'sellers'
      ? flagValue('asi', z.string({ message: 'required for sellers' }).min(1), values.asi)
      : undefined;
  if (kind !== 'sellers' && values.asi !== undefined)
    throw new UsageError('--asi: only for --kind sellers');
  const version =
    values.version === undefined
      ? undefined
      : flagValue(
          'version',
          z.coerce.number().int().positive().max(REFERENCE_LIMITS.version),
          values.version,
        );
  const effectiveFrom =
    values['effective-from'] === undefined
      ? Date.now()
      : flagValue(
          'effective-from',
          z.iso
            .datetime({ offset: true, message: 'an ISO-8601 time' })
            .transform((s) => Date.parse(s)),
          values['effective-from'],
        );
  return {
    command: sub,
    kind,
    file,
    asi,
    version,
    effectiveFrom,
    replace: values.replace === true,
    dryRun: values['dry-run'] === true,
  };
}

/** The file's text; a file that cannot be read is a usage error naming it. */
function readList(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--file: cannot read ${path}: ${(err as Error).message}`, {
      flag: '--file',
    });
  }
}

/** A publisher to the kind's topic and the versions the topic holds now. */
async function openTopic(
  config: z.infer<typeof configSchema>,
  args: PublishArgs,
  logger: Logger,
  closers: Closers,
): Promise<{ topic: TopicDef; publisher: Publisher; held: Map<number, Set<string>> }> {
  const cat = catalogue(config.TOPIC_NAMESPACE);
  const topic = cat[REFERENCE_TOPIC[args.kind]] as TopicDef;
  const kafka = createKafka({
    clientId: `reference-data-${config.REGION}`,
    brokers: defaultBrokers(config.REGION, config.KAFKA_BROKERS),
    logger,
  });
  const publisher = await createPublisher(kafka);
  closers.push('publisher', () => publisher.close());
  const held = await existingVersions({
    kafka,
    topic,
    deadLetter: publisher,
    deadLetterTopic: cat.deadLetter.name,
    list: args.asi === undefined ? undefined : domainKey(args.asi),
    logger,
  });
  return { topic, publisher, held };
}

/** `retire`: tombstones every key the version is held under. */
async function retire(
  config: z.infer<typeof configSchema>,
  args: PublishArgs,
  logger: Logger,
  closers: Closers,
): Promise<number> {
  const version = args.version ?? 0;
  const { topic, publisher, held } = await openTopic(config, args, logger, closers);
  const keys = held.get(version);
  if (!keys)
    throw new UsageError(`--version: ${String(version)} is not in ${topic.name}`, {
      flag: '--version',
    });
  for (const key of keys) await publisher.tombstone(topic, key);
  process.stdout.write(
    `${JSON.stringify({ kind: args.kind, topic: topic.name, retired: [...keys], version })}\n`,
  );
  return 0;
}

void runService({
  command: COMMAND,
  args: parseArgs,
  config: () => loadConfig(configSchema),
  logger: (config) =>
    createLogger({ service: 'reference-data', level: config.LOG_LEVEL, destination: 2 }),
  run: async ({ config, args, logger, closers }) => {
    if (args.command === 'retire') return retire(config, args, logger, closers);
    const text = readList(args.file);
    const message = (version: number): ReferenceMessage => {
      const m = referenceMessage(
        args.kind,
        text,
        {
          eventId: randomUUID(),
          ts: Date.now(),
          version,
          effectiveFrom: args.effectiveFrom,
          source: args.file,
        },
        args.asi,
      );
      if (!m.ok) throw new UsageError(`--file: ${args.file}: ${m.error}`, { flag: '--file' });
      return m.value;
    };
    // Validated before anything connects: a bad file never reaches Kafka.
    message(args.version ?? 1);
    const topic = catalogue(config.TOPIC_NAMESPACE)[REFERENCE_TOPIC[args.kind]] as TopicDef;
    const summary = (m: ReferenceMessage) => ({
      kind: args.kind,
      topic: topic.name,
      key: topic.keyOf(m),
      version: m.version,
      effectiveFrom: new Date(m.effectiveFrom).toISOString(),
      entries:
        'patterns' in m ? m.patterns.length : 'ranges' in m ? m.ranges.length : m.sellers.length,
    });
    if (args.dryRun && args.version !== undefined) {
      process.stdout.write(
        `${JSON.stringify({ ...summary(message(args.version)), dryRun: true })}\n`,
      );
      return 0;
    }
    const { publisher, held } = await openTopic(config, args, logger, closers);
    const version = args.version ?? Math.max(0, ...held.keys()) + 1;
    if (held.has(version) && !args.replace)
      throw new UsageError(
        `--version: ${String(version)} is already in ${topic.name}; pass --replace to overwrite it`,
        { flag: '--version' },
      );
    const m = message(version);
    if (!args.dryRun) await publisher.publish(topic, [m]);
    process.stdout.write(
      `${JSON.stringify({ ...summary(m), ...(args.dryRun ? { dryRun: true } : {}) })}\n`,
    );
    return 0;
  },
});
