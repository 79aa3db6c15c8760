import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  aptInstallCommand,
  findOnPath,
  luaLongString,
  parseWrkDuration,
  parseWrkOutput,
  runWrk,
} from './wrk.js';

const REPORT = `Running 10s test @ http://127.0.0.1:8080/openrtb2/bid
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.58ms  812.00us  1.02s    91.20%
    Req/Sec    12.47k     1.02k   13.90k    78.00%
  124100 requests in 10.00s, 55.41MB read
  Socket errors: connect 0, read 2, write 1, timeout 7
  Non-2xx or 3xx responses: 31
Requests/sec:  12410.23
Transfer/sec:      5.54MB
`;

describe('parseWrkOutput', () => {
  it("reads wrk's report: rate, totals, errors and latency", () => {
    expect(parseWrkOutput(REPORT)).toEqual({
      requests: 124_100,
      durationS: 10,
      rps: 12_410.23,
      non2xx: 31,
      socketErrors: { connect: 0, read: 2, write: 1, timeout: 7 },
      latencyMs: { mean: 2.58, stdev: 0.812, max: 1020 },
    });
  });

  it('reads a clean report, which has no error lines', () => {
    const clean = REPORT.split('\n')
      .filter((l) => !/Socket errors|Non-2xx/.test(l))
      .join('\n');
    expect(parseWrkOutput(clean)).toMatchObject({
      non2xx: 0,
      socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
    });
  });

  it('refuses output without a Requests/sec line', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(
      /Requests\/sec/,
    );
  });

  it('reads every duration unit wrk prints', () => {
    expect(parseWrkDuration('812.00us')).toBeCloseTo(0.812);
    expect(parseWrkDuration('2.50ms')).toBe(2.5);
    expect(parseWrkDuration('1.02s')).toBe(1020);
    expect(parseWrkDuration('1.00m')).toBe(60_000);
    expect(parseWrkDuration('fast')).toBeNaN();
  });
});

describe('finding and installing wrk', () => {
  it('finds an executable on PATH and skips files that are not executable', () => {
    const a = mkdtempSync(join(tmpdir(), 'wrk-path-a-'));
    const b = mkdtempSync(join(tmpdir(), 'wrk-path-b-'));
    try {
      writeFileSync(join(a, 'tool'), '');
      writeFileSync(join(b, 'tool'), '#!/bin/sh\n');
      chmodSync(join(b, 'tool'), 0o755);
      expect(findOnPath('tool', [a, '', b].join(delimiter))).toBe(join(b, 'tool'));
      expect(findOnPath('tool', a)).toBeUndefined();
    } finally {
      rmSync(a, { recursive: true });
      rmSync(b, { recursive: true });
    }
  });

  it('installs with apt-get as root, through sudo -n otherwise, and not at all without sudo', () => {
    expect(aptInstallCommand('wrk', { uid: 0, sudo: undefined })).toEqual([
      'apt-get',
      'install',
      '-y',
      '--no-install-recommends',
      'wrk',
    ]);
    expect(aptInstallCommand('wrk', { uid: 1000, sudo: '/usr/bin/sudo' })?.slice(0, 3)).toEqual([
      '/usr/bin/sudo',
      '-n',
      'apt-get',
    ]);
    expect(aptInstallCommand('wrk', { uid: 1000, sudo: undefined })).toBeUndefined();
  });
});

describe('luaLongString', () => {
  it('picks a bracket level the text cannot close', () => {
    expect(luaLongString('/tmp/a')).toBe('[[/tmp/a]]');
    expect(luaLongString('{"a":["]]"]}')).toBe('[=[{"a":["]]"]}]=]');
    expect(luaLongString('x]=]y]]')).toBe('[==[x]=]y]]]==]');
  });
});

describe.skipIf(findOnPath('wrk') === undefined)('runWrk', () => {
  it('POSTs the bodies in turn with the headers to the path, and reports the rate', async () => {
    const seen = new Map<string, number>();
    const wrong: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/openrtb2/bid')
          wrong.push(`${String(req.method)} ${String(req.url)}`);
        if (req.headers['content-type'] !== 'application/json') wrong.push('content-type');
        seen.set(body, (seen.get(body) ?? 0) + 1);
        res.statusCode = body === '{"b":"]]"}' ? 400 : 200;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await runWrk({
        url: `http://127.0.0.1:${String(port)}`,
        path: '/openrtb2/bid',
        bodies: ['{"a":1}', '{"b":"]]"}'],
        headers: { 'content-type': 'application/json' },
        connections: 4,
        durationS: 1,
      });
      expect(wrong).toEqual([]);
      expect([...seen.keys()].sort()).toEqual(['{"a":1}', '{"b":"]]"}']);
      expect(r.requests).toBeGreaterThan(0);
      expect(r.rps).toBeGreaterThan(0);
      // wrk counts the 400s it read; the server also answered the (≤ 4) in flight at the end.
      const bad = seen.get('{"b":"]]"}') ?? 0;
      expect(r.non2xx).toBeLessThanOrEqual(bad);
      expect(r.non2xx).toBeGreaterThanOrEqual(bad - 4);
    } finally {
      server.close();
    }
  });

  it('refuses a body that holds a newline', async () => {
    await expect(
      runWrk({ url: 'http://127.0.0.1:1', path: '/', bodies: ['a\nb'], durationS: 1 }),
    ).rejects.toThrow(/newline/);
  });
});
