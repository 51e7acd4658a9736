import { describe, expect, it } from 'vitest';
import { crashed, crashedReplica, pod, status } from '../../../test/support/pod-shapes.ts';
import { containersToRead, logLines, MAX_LOGS } from './snapshot.ts';

describe('containersToRead', () => {
  it('reads the previous instance of a container that has one, even before restartCount counts it', () => {
    const first = crashed(137, 'OOMKilled');
    first.restartCount = 0;
    first.state = { waiting: { reason: 'CrashLoopBackOff' } };

    expect(containersToRead([pod({ statuses: [first] })])).toEqual([
      { namespace: 'shop', pod: 'web-7f9c6d5b8-k2x7p', container: 'app', previous: true },
    ]);
  });

  it('reads a failed container without a previous instance as it is, and no healthy one', () => {
    const failed = status({ state: { terminated: { exitCode: 2, reason: 'Error' } } });
    const running = status({ name: 'sidecar', state: { running: {} }, ready: true });

    expect(containersToRead([pod({ statuses: [failed, running] })])).toEqual([
      { namespace: 'shop', pod: 'web-7f9c6d5b8-k2x7p', container: 'app', previous: false },
    ]);
  });

  it('reads one replica of a controller for each container, the most restarted', () => {
    const read = containersToRead([
      crashedReplica('web-a', 3),
      crashedReplica('web-b', 9),
      crashedReplica('web-c', 4),
    ]);

    expect(read).toEqual([
      {
        namespace: 'shop',
        pod: 'web-b',
        container: 'app',
        previous: true,
        owner: 'ReplicaSet/web-7f9c6d5b8',
      },
    ]);
  });

  it(`reads at most ${MAX_LOGS}, the most restarted first`, () => {
    const statuses = Array.from({ length: MAX_LOGS + 3 }, (_, i) => {
      const s = crashed(1, 'Error', `c${i}`);
      s.restartCount = i;
      return s;
    });

    const read = containersToRead([pod({ statuses })]);

    expect(read).toHaveLength(MAX_LOGS);
    expect(read[0]?.container).toBe(`c${MAX_LOGS + 2}`);
  });
});

describe('logLines', () => {
  it('redacts before it cuts a long line, so a cut secret does not show', () => {
    const url = 'postgres://orders:Tr0ub4dor-and-3-horses@orders-db:5432/orders';
    const text = `ERROR connection refused ${url}`;
    const line = `${'x'.repeat(400 - text.indexOf('@'))}${text}`;

    expect(logLines(line).join('\n')).not.toContain('Tr0ub4dor-and-3-horses');
  });

  it('drops control bytes and empty lines and keeps the last 40', () => {
    const text = [
      '\u0000\u0007bell',
      '',
      ...Array.from({ length: 50 }, (_, i) => `line ${i}`),
    ].join('\r\n');

    const lines = logLines(text);

    expect(lines).toHaveLength(40);
    expect(lines[0]).toBe('line 10');
    expect(logLines('\u0000\u0007bell')).toEqual(['bell']);
  });
});
