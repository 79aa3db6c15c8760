import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@streambid/adapters';

/** One app process of the stack. */
export interface AppSpec {
  /** e.g. `bidder-eu` */
  name: string;
  /** Entry file relative to the repo root, e.g. `apps/bidder/src/main.ts`. */
  entry: string;
  args?: readonly string[];
  /** Node/V8 flags of this app (before the entry), e.g. the bidder's GC flag. */
  nodeArgs?: readonly string[];
  env: Record<string, string>;
  /** URL that answers 200 once the app is ready. */
  healthUrl: string;
}

export interface RunningApp {
  spec: AppSpec;
  child: ChildProcess;
  logFile: string;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Starts an app the way `npm run <app>` does (tsx, source conditions), logging to a file.
 * `LOADTEST_NODE_ARGS` adds Node flags to every app (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
 */
export function startApp(spec: AppSpec, logDir: string): RunningApp {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${spec.name}.log`);
  const fd = openSync(logFile, 'a');
  const extra = (process.env['LOADTEST_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...extra,
      ...(spec.nodeArgs ?? []),
      '--conditions=@streambid/source',
      '--import',
      'tsx',
      spec.entry,
      ...(spec.args ?? []),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', fd, fd],
    },
  );
  return { spec, child, logFile };
}

/** Resolves once the app's health URL answers 200; rejects if it exits or the deadline passes. */
export async function waitHealthy(app: RunningApp, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    async () => {
      if (app.child.exitCode !== null)
        throw new Error(
          `${app.spec.name} exited with ${String(app.child.exitCode)}; see ${app.logFile}`,
        );
      const res = await fetch(app.spec.healthUrl, { signal: AbortSignal.timeout(1000) }).catch(
        () => undefined,
      );
      return res?.status === 200;
    },
    { timeoutMs, intervalMs: 200, what: `${app.spec.name} healthy (see ${app.logFile})` },
  );
}

/** SIGTERM, then SIGKILL after the grace period. */
export async function stopApp(app: RunningApp, graceMs = 10_000): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => app.child.once('exit', () => resolve()));
  app.child.kill('SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
    app.child.kill('SIGKILL');
    await exited;
  }
}
