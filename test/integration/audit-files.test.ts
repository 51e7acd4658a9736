import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditFiles } from '../../src/audit/audit-files.ts';
import { type AuditEntry, auditLine, auditStreamKey } from '../../src/audit/audit-log.ts';
import { audit } from '../../src/main/audit-commands.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

const prefix = testPrefix();
let redis: Redis;
let dir: string;
const log = createLogger('silent');

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  dir = mkdtempSync(join(tmpdir(), 'coxswain-audit-files-'));
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
  rmSync(dir, { recursive: true, force: true });
});

const entry = (proposal: string): AuditEntry => ({
  at: new Date().toISOString(),
  event: 'approved',
  proposal,
  agent: 'k8s-diagnostician',
  action: { type: 'scale', summary: 'scale deployment shop/cart to 3' },
  outcome: 'queued for execution',
  run: 'run-1',
});

/** What a state change's script does: the entry goes to the stream, nothing to the files. */
const add = (proposal: string) =>
  redis.xadd(auditStreamKey(prefix), '*', 'entry', auditLine(entry(proposal)));

const lines = () =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as { id: string; proposal: string });

describe('AuditFiles', () => {
  it('writes entries the stream has and the files lack, once, however often or by whom it runs', async () => {
    await add('p-one');
    await add('p-two');

    const first = await new AuditFiles(redis, prefix, dir, log).catchUp();
    // The process died after the stream got an entry and before any file did; another starts.
    await add('p-three');
    const restarted = new AuditFiles(redis, prefix, dir, log);
    const second = await restarted.catchUp();
    const third = await restarted.catchUp();

    expect([first, second, third]).toEqual([2, 1, 0]);
    expect(lines().map((l) => l.proposal)).toEqual(['p-one', 'p-two', 'p-three']);
    const ids = lines().map((l) => l.id);
    expect(new Set(ids).size).toBe(3);
    expect(readdirSync(dir)).toEqual([`audit-${new Date().toISOString().slice(0, 10)}.jsonl`]);
  });

  it('rewrites whole a line cut short by a crash while writing it', async () => {
    await add('p-four');
    await new AuditFiles(redis, prefix, dir, log).catchUp();
    const file = join(dir, readdirSync(dir)[0] ?? '');
    const whole = readFileSync(file, 'utf8');
    const cut = whole.split('\n').filter(Boolean).slice(-1)[0] ?? '';
    // The file as a process left it when it died half-way through the last line.
    rmSync(file);
    appendFileSync(file, whole.slice(0, whole.length - cut.length - 1) + cut.slice(0, 20));

    const written = await new AuditFiles(redis, prefix, dir, log).catchUp();

    expect(written).toBe(1);
    expect(lines().map((l) => l.proposal)).toEqual(['p-one', 'p-two', 'p-three', 'p-four']);
  });

  it('lets one process at a time copy, so a shared volume gets each line once', async () => {
    const first = new AuditFiles(redis, prefix, dir, log);
    const second = new AuditFiles(redis, prefix, dir, log);
    await add('p-five');

    const [a, b] = [await first.catchUpAsHolder(), await second.catchUpAsHolder()];

    expect([a, b]).toEqual([true, false]);
    expect(lines().filter((l) => l.proposal === 'p-five')).toHaveLength(1);
  });
});

/** What `coxswain audit export ARGS` prints, against this file's Redis and prefix. */
async function exported(...args: string[]): Promise<string> {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const saved = { url: process.env.REDIS_URL, prefix: process.env.REDIS_PREFIX };
  process.env.REDIS_URL = testRedisUrl();
  process.env.REDIS_PREFIX = prefix;
  try {
    await audit(['export', ...args], out);
  } finally {
    process.env.REDIS_URL = saved.url;
    process.env.REDIS_PREFIX = saved.prefix;
    if (saved.url === undefined) delete process.env.REDIS_URL;
    if (saved.prefix === undefined) delete process.env.REDIS_PREFIX;
  }
  return text;
}

describe('coxswain audit export', () => {
  it('prints the stream as the files have it, and only the days asked for', async () => {
    await add('p-export');
    await new AuditFiles(redis, prefix, dir, log).catchUp();
    const files = readdirSync(dir)
      .sort()
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');
    const today = new Date().toISOString().slice(0, 10);

    expect(await exported()).toBe(files);
    expect(await exported('--since', today, '--until', today)).toContain('"proposal":"p-export"');
    expect(await exported('--since', '2999-01-01')).toBe('');
    expect(await exported('--until', '2000-01-01')).toBe('');
  });

  it('refuses a day that is not one, and an unknown subcommand', async () => {
    await expect(exported('--since', '2026-02-30')).rejects.toThrow(
      '--since must be a day such as 2026-12-01',
    );
    await expect(audit(['import'])).rejects.toThrow('the subcommand is export');
  });
});
