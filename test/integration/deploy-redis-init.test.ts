import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * deploy/kubernetes/base/redis/init.sh against real redis-server and Sentinel processes: a first
 * start with no sentinel makes the default host the primary and the others its replicas; after
 * a failover, a restarted pod (Redis or Sentinel) follows the primary the sentinels name.
 * Pods become local ports: every host is 127.0.0.1.
 */
const SCRIPTS = fileURLToPath(new URL('../../deploy/kubernetes/base/redis/', import.meta.url));
const PASSWORD = 'test0123456789abcdef';
const SENTINEL_PASSWORD = 'sentinel0123456789ab';
const HOST = '127.0.0.1';

let dir = '';
const children: ChildProcess[] = [];
const clients: Redis[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Runs init.sh as the init container would, and returns the config it wrote. */
function init(mode: 'redis' | 'sentinel', name: string, env: Record<string, string>): string {
  const data = join(dir, name);
  mkdirSync(data, { recursive: true });
  // redis.conf as shipped, but for the data folder (/data is the pod's volume), and a primary
  // that starts a replica's full sync at once instead of after Redis's default 5 s wait for more
  // replicas to share the transfer.
  const confIn = join(data, 'redis.conf.in');
  writeFileSync(
    confIn,
    `${readFileSync(join(SCRIPTS, 'redis.conf'), 'utf8').replace(/^dir \/data$/m, `dir ${data}`)}\nrepl-diskless-sync-delay 0\n`,
  );
  const confOut = join(data, `${mode}.conf`);
  execFileSync('sh', [join(SCRIPTS, 'init.sh'), mode], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      REDIS_PASSWORD: PASSWORD,
      REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
      ANNOUNCE_HOST: HOST,
      DEFAULT_PRIMARY_HOST: HOST,
      CONF_IN: confIn,
      CONF_OUT: confOut,
      ...env,
    },
    stdio: 'pipe',
  });
  return confOut;
}

function start(conf: string, sentinel = false): void {
  const args = sentinel ? [conf, '--sentinel'] : [conf];
  children.push(spawn('redis-server', args, { stdio: 'ignore' }));
}

function client(port: number, password = PASSWORD): Redis {
  const redis = new Redis({
    host: HOST,
    port,
    password,
    lazyConnect: false,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', () => {});
  clients.push(redis);
  return redis;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read().catch(() => undefined as T);
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read().catch(() => undefined as T);
  }
  return value;
}

const linkOf = async (redis: Redis) =>
  /master_link_status:(\w+)/.exec(await redis.info('replication'))?.[1] ?? 'none';
const primaryOf = async (sentinel: Redis) =>
  (await sentinel.call('SENTINEL', 'get-master-addr-by-name', 'coxswain')) as string[] | null;

describe('the Redis and Sentinel init script', () => {
  const ports = { a: 0, b: 0, sentinel: 0, nobody: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coxswain-redis-init-'));
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  });

  afterAll(async () => {
    for (const redis of clients) redis.disconnect();
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes the default host the primary and the others its replicas when no sentinel answers', async () => {
    const first = {
      DEFAULT_PRIMARY_PORT: String(ports.a),
      SENTINEL_HOST: HOST,
      SENTINEL_PORT: String(ports.nobody),
    };

    const a = init('redis', 'a', { ...first, ANNOUNCE_PORT: String(ports.a) });
    const b = init('redis', 'b', { ...first, ANNOUNCE_PORT: String(ports.b) });
    start(a);
    start(b);
    const replica = client(ports.b);
    const link = await until(
      () => linkOf(replica),
      (status) => status === 'up',
    );

    expect(readFileSync(a, 'utf8')).not.toMatch(/^replicaof/m);
    expect(readFileSync(b, 'utf8')).toMatch(new RegExp(`^replicaof ${HOST} ${ports.a}$`, 'm'));
    expect(readFileSync(a, 'utf8')).toMatch(/^appendonly yes$/m);
    expect(link).toBe('up');
  });

  it('starts a sentinel on that primary, known by its announced name', async () => {
    const conf = init('sentinel', 'sentinel', {
      ANNOUNCE_PORT: String(ports.sentinel),
      DEFAULT_PRIMARY_PORT: String(ports.a),
      QUORUM: '1',
    });
    start(conf, true);

    const sentinel = client(ports.sentinel, SENTINEL_PASSWORD);
    const primary = await until(
      () => primaryOf(sentinel),
      (p) => p !== undefined && p !== null,
    );

    expect(readFileSync(conf, 'utf8')).toMatch(/^sentinel resolve-hostnames yes$/m);
    expect(readFileSync(conf, 'utf8')).toMatch(/^sentinel announce-hostnames yes$/m);
    expect(primary).toEqual([HOST, String(ports.a)]);
  });

  it.each([
    ['empty', ''],
    ['a line break and a config line of its own', 'abc"\nreplicaof 203.0.113.9 6379\n#'],
    ['a backslash', 'abc\\ndef'],
    ['a trailing newline, as kubectl create secret --from-file keeps it', 'abcdef0123456789\n'],
  ])('writes no Redis config with a password that is %s', (_, password) => {
    const write = () =>
      init('redis', 'refused', {
        ANNOUNCE_PORT: String(ports.nobody),
        DEFAULT_PRIMARY_PORT: String(ports.nobody),
        REDIS_PASSWORD: password,
      });

    expect(write).toThrow(/init: REDIS_PASSWORD/);
  });

  it('starts no sentinel without a password, and the one it starts takes no command without it', async () => {
    const open = () =>
      init('sentinel', 'open-sentinel', {
        ANNOUNCE_PORT: String(ports.nobody),
        DEFAULT_PRIMARY_PORT: String(ports.a),
        REDIS_SENTINEL_PASSWORD: '',
      });
    const stranger = client(ports.sentinel, '');

    const redirected = await stranger
      .call('SENTINEL', 'monitor', 'elsewhere', HOST, String(ports.nobody), '1')
      .catch((error: Error) => error.message);

    expect(open).toThrow(/REDIS_SENTINEL_PASSWORD is not set/);
    expect(redirected).toMatch(/NOAUTH/);
  });

  it('after a failover, rejoins a restarted primary as a replica of the new one', async () => {
    const sentinel = client(ports.sentinel, SENTINEL_PASSWORD);
    await until(
      () => sentinel.call('SENTINEL', 'failover', 'coxswain'),
      (answer) => answer === 'OK',
    );
    const promoted = await until(
      () => primaryOf(sentinel),
      (p) => p?.[1] === String(ports.b),
    );
    await client(ports.a)
      .shutdown('NOSAVE')
      .catch(() => {});

    const restarted = init('redis', 'a', {
      ANNOUNCE_PORT: String(ports.a),
      DEFAULT_PRIMARY_PORT: String(ports.a),
      SENTINEL_HOST: HOST,
      SENTINEL_PORT: String(ports.sentinel),
    });
    const sentinelConf = init('sentinel', 'sentinel-2', {
      ANNOUNCE_PORT: String(ports.nobody),
      DEFAULT_PRIMARY_PORT: String(ports.a),
      SENTINEL_HOST: HOST,
      SENTINEL_PORT: String(ports.sentinel),
    });
    start(restarted);
    const rejoined = client(ports.a);
    const link = await until(
      () => linkOf(rejoined),
      (status) => status === 'up',
    );

    expect(promoted).toEqual([HOST, String(ports.b)]);
    expect(readFileSync(restarted, 'utf8')).toMatch(
      new RegExp(`^replicaof ${HOST} ${ports.b}$`, 'm'),
    );
    expect(readFileSync(sentinelConf, 'utf8')).toMatch(
      new RegExp(`^sentinel monitor coxswain ${HOST} ${ports.b} 2$`, 'm'),
    );
    expect(link).toBe('up');
  }, 60_000);
});
