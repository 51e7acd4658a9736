import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

it('censors tokens, passwords and authorization headers wherever they sit', () => {
  const { lines, log } = capture();

  log.info(
    {
      token: 'xoxb-top-level-token',
      password: 'hunter2',
      alertmanager: { token: 'nested-token-value', password: 'nested-password' },
      req: { headers: { authorization: 'Bearer sk-live-abcdef', cookie: 'session=abc' } },
      headers: { authorization: 'Basic YWRtaW46aHVudGVyMg==' },
      redisUrl: 'redis://:s3cr3t@redis:6379',
      err: { config: { headers: { authorization: 'Bearer deep-secret-token' } } },
      env: { ALERTMANAGER_TOKEN: 'env-token-value', REDIS_URL: 'redis://:envpass@redis' },
      pod: 'payments-api-7d9f8b6c5d-x2k4q',
    },
    'request',
  );

  const output = lines.join('');
  for (const secret of [
    'xoxb-top',
    'hunter2',
    'nested-token',
    'nested-password',
    'sk-live',
    'session=abc',
    'YWRtaW46',
    's3cr3t',
    'deep-secret',
    'env-token',
    'envpass',
  ]) {
    expect(output).not.toContain(secret);
  }
  expect(output).toContain('[redacted]');
  expect(output).toContain('payments-api-7d9f8b6c5d-x2k4q');
});

it('carries the bindings of a child logger on every line', () => {
  const { lines, log } = capture();

  log.child({ queue: 'runs', jobId: 'alert-123' }).info('job started');

  expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
    queue: 'runs',
    jobId: 'alert-123',
    msg: 'job started',
  });
});
