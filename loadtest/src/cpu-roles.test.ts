import { describe, expect, it } from 'vitest';
import type { ProcStat } from '@streambid/loadgen';
import { assignRoles, roleFromCommand, type RoleInputs } from './cpu-roles.js';

const proc = (pid: number, ppid: number, comm: string): ProcStat => ({
  pid,
  ppid,
  comm,
  state: 'S',
  utime: 0,
  stime: 0,
  cutime: 0,
  cstime: 0,
  numThreads: 1,
});

/** A machine: this generator (100) with two apps and an esbuild helper; infra detached under 1. */
function machine(over: Partial<RoleInputs> = {}): RoleInputs {
  const cmdlines = new Map<number, string>([
    [100, 'node --conditions=@streambid/source --import tsx loadtest/src/cli.ts'],
    [101, 'node --import tsx apps/bidder/src/main.ts'],
    [102, 'node --import tsx apps/inventory/src/main.ts'],
    [103, '/work/main/node_modules/@esbuild/linux-x64/bin/esbuild --service=0.28.2 --ping'],
    [104, '/work/main/node_modules/@esbuild/linux-x64/bin/esbuild --service=0.28.2 --ping'],
    [
      200,
      '/usr/bin/java -Xmx768m -Dkafka.logs.dir=/work/main/.data/kafka-eu -cp x kafka.Kafka /work/main/.data/kafka-eu/server.properties',
    ],
    [
      201,
      '/usr/bin/java -Xmx768m -Dkafka.logs.dir=/work/main/.data/kafka-us -cp x kafka.Kafka /work/main/.data/kafka-us/server.properties',
    ],
    [
      202,
      '/usr/bin/java -Xmx512m -cp x org.apache.kafka.connect.mirror.MirrorMaker /work/main/.data/mm2/mm2.properties',
    ],
    [203, '/usr/sbin/clickhouse-server --config-file=/work/main/.data/clickhouse/config.xml'],
    [204, '/usr/sbin/clickhouse-server --config-file=/work/main/.data/clickhouse/config.xml'],
    [205, 'redis-server 127.0.0.1:6379'],
    [206, 'redis-server 127.0.0.1:6479'],
    [207, 'node --import tsx /work/main/infra/src/delay-proxy-main.ts --listen 9112'],
    [300, 'postgres: checkpointer'],
    [301, 'node some-other-session.js'],
    [
      400,
      '/usr/bin/java -Dkafka.logs.dir=/tmp/wt/.data/kafka-eu -cp x kafka.Kafka /tmp/wt/.data/kafka-eu/server.properties',
    ],
    [
      401,
      '/usr/bin/java -cp x org.apache.kafka.connect.mirror.MirrorMaker /tmp/wt/.data/mm2/mm2.properties',
    ],
    [402, 'node --import tsx /tmp/wt/infra/src/delay-proxy-main.ts --listen 19212'],
    [403, 'redis-server 127.0.0.1:16379'],
  ]);
  return {
    stats: [
      proc(1, 0, 'init'),
      proc(100, 50, 'node'),
      proc(101, 100, 'node'),
      proc(102, 100, 'node'),
      proc(103, 101, 'esbuild'),
      proc(104, 100, 'esbuild'),
      proc(200, 1, 'java'),
      proc(201, 1, 'java'),
      proc(202, 1, 'java'),
      proc(203, 1, 'clickhouse-serv'),
      proc(204, 203, 'clickhouse-serv'),
      proc(205, 1, 'redis-server'),
      proc(206, 1, 'redis-server'),
      proc(207, 1, 'node'),
      proc(300, 1, 'postgres'),
      proc(301, 1, 'node'),
      proc(400, 1, 'java'),
      proc(401, 1, 'java'),
      proc(402, 1, 'node'),
      proc(403, 1, 'redis-server'),
    ],
    cmdline: (pid) => cmdlines.get(pid),
    apps: [
      { pid: 101, name: 'bidder-eu' },
      { pid: 102, name: 'inventory-eu' },
    ],
    pidFiles: {},
    self: 100,
    root: '/work/main',
    redisRegionByPort: new Map([
      [6379, 'eu'],
      [6479, 'us'],
    ]),
    ...over,
  };
}

describe('process roles', () => {
  it('groups every process of this stack by role, another checkout’s stack apart, and leaves the rest out', () => {
    const roles = assignRoles(machine());
    expect(Object.fromEntries(roles)).toEqual({
      100: 'generator',
      101: 'bidder-eu',
      102: 'inventory-eu',
      103: 'bidder-eu',
      104: 'generator',
      200: 'kafka-eu',
      201: 'kafka-us',
      202: 'mm2',
      203: 'clickhouse',
      204: 'clickhouse',
      205: 'redis-eu',
      206: 'redis-us',
      207: 'delay-proxy',
      400: 'other-stack',
      401: 'other-stack',
      402: 'other-stack',
      403: 'other-stack',
    });
  });

  it('never counts an app, a child of the generator, as the generator', () => {
    const roles = assignRoles(machine({ apps: [{ pid: 102, name: 'inventory-eu' }] }));
    expect(roles.get(102)).toBe('inventory-eu');
    // Without its pid the bidder is just another child of this process.
    expect(roles.get(101)).toBe('generator');
  });

  it('names a service by its pid file, and ignores a pid file whose pid was recycled', () => {
    const named = assignRoles(
      machine({ redisRegionByPort: new Map(), pidFiles: { 'redis-us': 206, 'kafka-eu': 300 } }),
    );
    expect(named.get(206)).toBe('redis-us');
    expect(named.get(205)).toBe('other-stack');
    expect(named.has(300)).toBe(false);
    expect(named.get(200)).toBe('kafka-eu');
  });

  it('tells a broker from MirrorMaker 2, though both are java processes of the Kafka jars', () => {
    const java = (cmd: string) => roleFromCommand('java', cmd, new Map(), '/x');
    expect(java('java -cp k kafka.Kafka /x/.data/kafka-ap/server.properties')).toBe('kafka-ap');
    expect(java('java -cp k org.apache.kafka.connect.mirror.MirrorMaker /x/.data/mm2/m')).toBe(
      'mm2',
    );
    expect(java('java -jar something-else.jar')).toBeUndefined();
  });
});
