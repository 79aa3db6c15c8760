/**
 * In the integration lane although it needs no services: it starts two dozen Node processes
 * (about 30 s), which would double the unit lane.
 *
 * Every command in package.json answers `--help`: exit 0, a usage line, and a list naming its flags
 * or environment variables, without starting anything (no service is reachable here, so one that
 * tried would hang or fail, and it would log).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scripts = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

/** Scripts that check the repository rather than run a command of it. */
const CHECKS = new Set([
  'typecheck',
  'lint',
  'format',
  'format:check',
  'circular',
  'test',
  'test:unit',
  'test:integration',
]);

/** What each command's `--help` must name: one of its flags or variables. */
const NAMED: Record<string, string> = {
  infra: '--delay-ms',
  'bench:privacy': '--help',
  demo: '--duration',
  bidder: 'BIDDER_TRACKING_SECRET=',
  inventory: 'INVENTORY_TOKEN=',
  'profile-builder': 'PROFILE_BUILDER_PORT=',
  dashboard: 'DASHBOARD_TOKEN=',
  clickfraud: 'CLICKFRAUD_DB=',
  'clickfraud replay': '--max-rate',
  'clickfraud follow': '--topics',
  'clickfraud score': '--dry-run',
  'clickfraud serve': 'CLICKFRAUD_PORT=',
  'fraud-report': '--min-score',
  reconcile: '--no-ledger',
  report: '--no-load',
  'reference-data': '--effective-from',
  'sim:pacing': '--lag-ms',
  'bench:bidder': 'BENCH_RATES=',
  'bench:produce': '--messages',
  'bench:profiles': 'BENCH_USERS=',
  'bench:replay': '--report-rows',
  'bench:validate': '--help',
  'bench:idle': 'BENCH_IDLE_S=',
  'fuzz:bidder': '--cases',
  'fuzz:http': '--inventory',
  'eval:fraud': '--impressions',
  loadtest: '--bot-share',
  'docs:edge': '--help',
};

/** `npm run <script> -- <args>` as a node command line: the script's own words, then ours. */
function commandLine(script: string): string[] {
  const words = (scripts[script] ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'node') throw new Error(`${script}: not a node command: ${scripts[script]}`);
  return words.slice(1);
}

/** Everything after the script name, e.g. `clickfraud replay` → ['replay']. */
const cases = Object.keys(scripts)
  .filter((s) => !CHECKS.has(s))
  .flatMap((s) =>
    s === 'clickfraud'
      ? [s, ...['replay', 'follow', 'score', 'serve'].map((c) => `${s} ${c}`)]
      : [s],
  );

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(name: string): Promise<Run> {
  const [script = '', ...sub] = name.split(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...commandLine(script), ...sub, '--help'], {
      cwd: ROOT,
      // Nothing to reach: a command that tried to start would hang or fail, not print help.
      env: {
        ...process.env,
        KAFKA_BROKERS: '127.0.0.1:1',
        REDIS_URL: 'redis://127.0.0.1:1',
        CLICKHOUSE_URL: 'http://127.0.0.1:1',
        INVENTORY_TOKEN: '',
        BIDDER_TRACKING_SECRET: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ...out });
    });
  });
}

describe('every command answers --help', () => {
  const results = new Map<string, Run>();

  beforeAll(async () => {
    // Two at a time: each is a Node process loading its imports through tsx.
    const queue = [...cases];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) results.set(c, await run(c));
    };
    await Promise.all([worker(), worker()]);
  }, 300_000);

  it('knows what every command in package.json must name', () => {
    expect(cases.filter((c) => NAMED[c] === undefined)).toEqual([]);
  });

  it.each(cases)('%s --help exits 0 and names its flags or variables', (name) => {
    const r = results.get(name);
    expect(r, name).toBeDefined();
    const output = `exit ${String(r?.code)}\n${r?.stdout ?? ''}\n${r?.stderr ?? ''}`;
    expect(r?.code, output).toBe(0);
    expect(r?.stdout, output).toMatch(/^usage: /);
    expect(r?.stdout, output).toContain(NAMED[name] ?? '(nothing expected)');
    expect(r?.stdout, output).toMatch(/^Flags:\n {2}--/m);
    expect(r?.stderr, output).toBe('');
  });
});
