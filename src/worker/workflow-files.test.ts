import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTONOMY } from '../config/policy-schema.ts';
import { createLogger } from '../observability/logger.ts';
import { keepWorkflows } from './workflow-files.ts';

/** Log lines as written, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

/** A queue's job schedulers, in memory, as BullMQ's upsert and remove treat them. */
function schedulers() {
  const held = new Map<string, { pattern: string; tz?: string }>();
  const data = new Map<string, unknown>();
  let upserts = 0;
  return {
    held,
    upserts: () => upserts,
    async upsertJobScheduler(
      id: string,
      repeat: { pattern: string; tz?: string },
      template: { data: unknown },
    ) {
      upserts++;
      held.set(id, repeat);
      data.set(id, template.data);
    },
    async getJobScheduler(id: string) {
      const repeat = held.get(id);
      return repeat === undefined ? undefined : { ...repeat, template: { data: data.get(id) } };
    },
    async getJobSchedulers() {
      return [...held.keys()].map((key) => ({ key }));
    },
    async removeJobScheduler(id: string) {
      return held.delete(id);
    },
  };
}

describe('the workflow files a worker keeps', () => {
  it('logs each problem of a bad file with a fixed message, and loads the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
    writeFileSync(join(dir, 'ok.yaml'), 'steps:\n  - action: report\n');
    writeFileSync(join(dir, 'bad.yaml'), 'model: gpt\nsteps:\n  - action: report\n');
    const { lines, log } = capture();

    const kept = keepWorkflows(dir, DEFAULT_AUTONOMY, schedulers(), log);
    await kept.ready;
    kept.stop();

    expect([...kept.current().keys()]).toEqual(['ok']);
    expect(lines).toMatchObject([
      {
        level: 40,
        msg: 'workflow file invalid',
        file: join(dir, 'bad.yaml'),
        problem: `${join(dir, 'bad.yaml')}:1: model: must be one of haiku, sonnet, opus`,
      },
    ]);
  });

  it('says so, and goes on, when the folder cannot be read', async () => {
    const { lines, log } = capture();

    const kept = keepWorkflows('/nonexistent/workflows', DEFAULT_AUTONOMY, schedulers(), log);
    await kept.ready;
    kept.stop();

    expect(lines).toMatchObject([
      { msg: 'workflows folder unreadable', dir: '/nonexistent/workflows' },
    ]);
  });

  it('keeps one scheduler per schedule in the files, and removes those whose file went', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
    writeFileSync(
      join(dir, 'check.yaml'),
      'trigger:\n  - schedule: "0 */6 * * *"\n  - schedule: { cron: "0 8 * * 1-5", timezone: Europe/Paris }\nsteps:\n  - action: report\n',
    );
    const queue = schedulers();
    queue.held.set('workflow.gone.0', { pattern: '* * * * *' });
    queue.held.set('someone-elses', { pattern: '* * * * *' });
    const { log } = capture();

    const kept = keepWorkflows(dir, DEFAULT_AUTONOMY, queue, log);
    await kept.ready;
    kept.stop();

    expect(Object.fromEntries(queue.held)).toEqual({
      'workflow.check.0': { pattern: '0 */6 * * *' },
      'workflow.check.1': { pattern: '0 8 * * 1-5', tz: 'Europe/Paris' },
      'someone-elses': { pattern: '* * * * *' },
    });
  });

  it('leaves an unchanged scheduler alone, so a tick that is due is not dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
    writeFileSync(
      join(dir, 'tick.yaml'),
      'trigger:\n  schedule: "* * * * *"\nsteps:\n  - action: report\n',
    );
    const queue = schedulers();
    const { log } = capture();

    const first = keepWorkflows(dir, DEFAULT_AUTONOMY, queue, log);
    await first.ready;
    first.stop();
    const second = keepWorkflows(dir, DEFAULT_AUTONOMY, queue, log);
    await second.ready;
    second.stop();

    expect(queue.upserts()).toBe(1);
  });
});
