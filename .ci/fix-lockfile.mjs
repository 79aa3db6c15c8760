// The npm registry reachable from the build machines serves only linux-x64 builds of packages
// with per-platform optional dependencies (rollup, chdb). `npm install` then writes a lockfile without
// the other platforms' entries, and `npm ci` refuses it. This adds those entries as optional,
// platform-tagged packages so `npm ci` skips them on every platform they do not match.
// Usage: node .ci/fix-lockfile.mjs  (after any `npm install` that changed the lockfile)
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [loc, meta] of Object.entries(pkgs)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (pkgs[key] || pkgs[`${loc}/${key}`]) continue;
    const m =
      /^@rollup\/rollup-([a-z0-9]+)-([a-z0-9]+)/.exec(name) ??
      /^@chdb\/lib-([a-z0-9]+)-([a-z0-9]+)(-gnu)?$/.exec(name);
    if (!m) continue;
    const cpuMap = {
      x64: 'x64',
      arm64: 'arm64',
      arm: 'arm',
      ia32: 'ia32',
      loong64: 'loong64',
      ppc64: 'ppc64',
      riscv64: 'riscv64',
      s390x: 's390x',
    };
    const os = m[1] === 'win32' ? 'win32' : m[1];
    const cpu = cpuMap[m[2]] ?? m[2];
    const license = name.startsWith('@chdb/') ? 'Apache-2.0' : 'MIT';
    pkgs[key] = {
      version,
      cpu: [cpu],
      dev: true,
      ...(m[3] === '-gnu' ? { libc: ['glibc'] } : {}),
      license,
      optional: true,
      os: [os],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`fix-lockfile: added ${added} platform entries\n`);
