import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, run, type Log } from './proc.js';

/** Where `mvn dependency:copy-dependencies` puts the Kafka jars (git-ignored). */
export const KAFKA_LIB_DIR = join(REPO_ROOT, 'infra', 'lib');
const POM = join(REPO_ROOT, 'infra', 'pom.xml');

// Jars whose presence means the last copy-dependencies run completed for this pom.
const REQUIRED_JARS = [
  'kafka_2.13-4.3.1.jar',
  'kafka-tools-4.3.1.jar',
  'connect-mirror-4.3.1.jar',
  'connect-runtime-4.3.1.jar',
  'log4j-slf4j2-impl-2.26.1.jar',
  'slf4j-api-2.0.17.jar',
];

/** Finds an executable on PATH (or an absolute path), without spawning a shell. */
export function which(command: string): string | undefined {
  if (command.startsWith('/')) return existsSync(command) ? command : undefined;
  // sbin dirs too: Debian puts clickhouse-server in /usr/sbin, often not on a user's PATH.
  const path = `${process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'}:/usr/local/sbin:/usr/sbin:/sbin`;
  for (const dir of path.split(':')) {
    const candidate = join(dir, command);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

let aptUpdated: Promise<string> | undefined;

/** Installs Debian packages, running `apt-get update` once per process first. */
async function aptInstall(packages: readonly string[], log: Log): Promise<void> {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const exec = (args: string[]) =>
    sudo.length > 0
      ? run(sudo[0] ?? 'sudo', [...sudo.slice(1), ...args], { env: aptEnv() })
      : run(args[0] ?? 'apt-get', args.slice(1), { env: aptEnv() });
  if (aptUpdated === undefined) {
    log('apt-get update ...');
    aptUpdated = exec(['apt-get', 'update']);
  }
  await aptUpdated;
  log(`apt-get install -y ${packages.join(' ')} ...`);
  await exec(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
}

function aptEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
}

/** Makes sure `command` exists, installing `packages` with apt when it does not. */
export async function ensureCommand(
  command: string,
  packages: readonly string[],
  log: Log,
): Promise<string> {
  const found = which(command);
  if (found !== undefined) return found;
  await aptInstall(packages, log);
  const installed = which(command);
  if (installed === undefined) {
    throw new Error(`${command} is still missing after apt-get install ${packages.join(' ')}`);
  }
  return installed;
}

/** Java 17 and the Kafka 4.3.1 jars (fetched from Maven Central via infra/pom.xml). */
export async function ensureKafkaJars(log: Log): Promise<{ java: string; classpath: string }> {
  const java = await ensureCommand('java', ['openjdk-17-jre-headless'], log);
  const present = existsSync(KAFKA_LIB_DIR) ? new Set(readdirSync(KAFKA_LIB_DIR)) : new Set();
  if (!REQUIRED_JARS.every((jar) => present.has(jar))) {
    const mvn = await ensureCommand('mvn', ['maven'], log);
    log(`fetching Kafka jars into ${KAFKA_LIB_DIR} (mvn dependency:copy-dependencies) ...`);
    await run(mvn, [
      '-q',
      '-B',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${KAFKA_LIB_DIR}`,
    ]);
  }
  return { java, classpath: join(KAFKA_LIB_DIR, '*') };
}

export function ensureRedis(log: Log): Promise<string> {
  return ensureCommand('redis-server', ['redis-server'], log);
}

/** The ClickHouse server binary; Debian ships 18.16 as `clickhouse-server`. */
export function ensureClickHouse(log: Log): Promise<string> {
  return ensureCommand('clickhouse-server', ['clickhouse-server', 'clickhouse-client'], log);
}

/** Debian's Chromium, which browser tests drive through playwright-core (no browser download). */
export function ensureChromium(log: Log): Promise<string> {
  return ensureCommand('chromium', ['chromium'], log);
}
