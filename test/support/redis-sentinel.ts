import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, stopChild } from '../../src/runtime/embedded-redis.ts';

/**
 * A Redis primary, its replicas and three Sentinels, each a real process on a free loopback port,
 * the data nodes started from the production config we ship (`deploy/redis/redis.conf`: AOF
 * everysec, noeviction). For the tests of failover and of WAIT.
 */
const REDIS_CONF = new URL('../../deploy/redis/redis.conf', import.meta.url).pathname;
const READY_MS = 15_000;

export type RedisNode = {
  port: number;
  /** The data directory (its AOF), for a restart on the same data. */
  dir: string;
  /** SIGKILL: the server dies as a crashed pod does, without a goodbye. */
  kill(): Promise<void>;
  stop(): Promise<void>;
};

export async function startRedisNode(
  /**
   * `args`: settings over the shipped file's, as `--name value` pairs. `dir`: the data directory
   * of a server started before on `port`, so that this one loads its AOF (a restart).
   */
  options: { replicaOf?: number; port?: number; args?: string[]; dir?: string } = {},
): Promise<RedisNode> {
  const port = options.port ?? (await freePort());
  // A copy each: Sentinel rewrites a server's config file when it reconfigures the server.
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'coxswain-redis-'));
  const conf = join(dir, 'redis.conf');
  copyFileSync(REDIS_CONF, conf);
  const args = [conf, '--port', String(port), '--bind', '127.0.0.1'];
  args.push('--dir', dir, '--loglevel', 'warning', ...(options.args ?? []));
  if (options.replicaOf !== undefined)
    args.push('--replicaof', '127.0.0.1', String(options.replicaOf));
  const child = spawn('redis-server', args, { detached: true, stdio: 'ignore' });
  await answering(port, child);
  return node(port, child, dir);
}

const SENTINEL_BINARY = '/usr/bin/redis-sentinel';

/** A Sentinel watching `name` at `primaryPort`, from a config file of its own (it rewrites it). */
export async function startSentinel(name: string, primaryPort: number): Promise<RedisNode> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  );
  // Debian's redis-sentinel package (which .ci/run installs); `redis-server --sentinel` is the
  // same program where only redis-server is installed.
  const [command, mode] = existsSync(SENTINEL_BINARY)
    ? [SENTINEL_BINARY, []]
    : ['redis-server', ['--sentinel']];
  const child = spawn(command, [conf, ...mode, '--loglevel', 'warning'], {
    detached: true,
    stdio: 'ignore',
  });
  await answering(port, child);
  return node(port, child, dir);
}

function node(port: number, child: ChildProcess, dir: string): RedisNode {
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  return {
    port,
    dir,
    async kill() {
      process.off('exit', killOnExit);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    async stop() {
      process.off('exit', killOnExit);
      await stopChild(child);
    },
  };
}

async function answering(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server on port ${port} exited at start`);
    const redis = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      if ((await redis.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      redis.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server on port ${port} did not answer within ${READY_MS} ms`);
}

/** Polls `check` (against a short-lived connection to `port`) until it holds. */
export async function until(
  port: number,
  check: (redis: Redis) => Promise<boolean>,
  what: string,
  timeoutMs = READY_MS,
): Promise<void> {
  const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check(redis).catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`gave up waiting: ${what}`);
  } finally {
    redis.disconnect();
  }
}

/** The replica is connected to its primary and has loaded its data. */
export const inSync = (redis: Redis) =>
  redis.info('replication').then((info) => info.includes('master_link_status:up'));

/** The Sentinel knows `replicas` replicas and `others` other Sentinels of `name`. */
export const sentinelSees =
  (name: string, replicas: number, others: number) => async (redis: Redis) => {
    const known = (await redis.call('SENTINEL', 'REPLICAS', name)) as unknown[];
    const peers = (await redis.call('SENTINEL', 'SENTINELS', name)) as unknown[];
    return known.length >= replicas && peers.length >= others;
  };

/** The port of the primary the Sentinel names for `name`. */
export async function primaryPort(sentinelPort: number, name: string): Promise<number> {
  const redis = new Redis(sentinelPort, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    const [, port] = (await redis.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[];
    return Number(port);
  } finally {
    redis.disconnect();
  }
}

export type SentinelSetup = {
  primary: RedisNode;
  replicas: RedisNode[];
  sentinels: RedisNode[];
  /** What Coxswain is given to reach it. */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string };
  stop(): Promise<void>;
};

/**
 * A primary, `replicas` replicas in sync, and three Sentinels (quorum 2) that know them and each
 * other, so that a failover can start as soon as the primary is found down.
 */
export async function startSentinelSetup(name: string, replicas: number): Promise<SentinelSetup> {
  const started: RedisNode[] = [];
  const stop = () => Promise.all(started.map((node) => node.stop())).then(() => undefined);
  try {
    const primary = await startRedisNode();
    started.push(primary);
    for (let i = 0; i < replicas; i++)
      started.push(await startRedisNode({ replicaOf: primary.port }));
    for (let i = 0; i < 3; i++) started.push(await startSentinel(name, primary.port));
    const setup = {
      primary,
      replicas: started.slice(1, 1 + replicas),
      sentinels: started.slice(1 + replicas),
    };
    for (const replica of setup.replicas) await until(replica.port, inSync, 'replica in sync');
    for (const sentinel of setup.sentinels)
      await until(sentinel.port, sentinelSees(name, replicas, 2), 'sentinels know all', 25_000);
    const sentinelList = setup.sentinels.map((node) => `127.0.0.1:${node.port}`).join(',');
    return { ...setup, env: { REDIS_SENTINELS: sentinelList, REDIS_SENTINEL_NAME: name }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
