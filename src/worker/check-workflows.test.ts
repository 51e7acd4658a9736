import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTONOMY } from '../config/policy-schema.ts';
import { createLogger } from '../observability/logger.ts';
import { warnOfInvalidWorkflows } from './check-workflows.ts';

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

describe('checking the workflow files when a worker starts', () => {
  it('logs each problem of a bad file with a fixed message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
    writeFileSync(join(dir, 'ok.yaml'), 'steps:\n  - action: report\n');
    writeFileSync(join(dir, 'bad.yaml'), 'model: gpt\nsteps:\n  - action: report\n');
    const { lines, log } = capture();

    warnOfInvalidWorkflows(dir, DEFAULT_AUTONOMY, log);

    expect(lines).toMatchObject([
      {
        level: 40,
        msg: 'workflow file invalid',
        file: join(dir, 'bad.yaml'),
        problem: `${join(dir, 'bad.yaml')}:1: model: must be one of haiku, sonnet, opus`,
      },
    ]);
  });

  it('says so, and goes on, when the folder cannot be read', () => {
    const { lines, log } = capture();

    warnOfInvalidWorkflows('/nonexistent/workflows', DEFAULT_AUTONOMY, log);

    expect(lines).toMatchObject([
      { msg: 'workflows folder unreadable', dir: '/nonexistent/workflows' },
    ]);
  });
});
