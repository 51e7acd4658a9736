import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { crashed, log, pod } from '../../../../test/support/pod-shapes.ts';
import { emptySnapshot, logLines } from '../snapshot.ts';
import { analyze } from './index.ts';

/**
 * Findings quote log lines and messages cut to a bound (the 400 characters `logLines` keeps of a
 * line, the 200 a cause quotes, the 300 a Job's log line keeps, the 200 of a termination
 * message) before they are redacted: a secret the bound cuts must not come out whole because the
 * redaction no longer sees its shape.
 */
const PASSWORD = 'Tr0ub4dor-and-3-horses';
const URL = `postgres://orders:${PASSWORD}@orders-db:5432/orders`;

/** `text` padded in front so that the URL's `@` falls at index `at` of the result. */
function withAtAt(at: number, text: string): string {
  return 'x'.repeat(at - text.indexOf('@')) + text;
}

describe('quoted lines cut at a bound', () => {
  it('shows no URL password when the 200-character quote in a cause cuts before its @', () => {
    const line = withAtAt(200, `ERROR connection refused ${URL}`);

    const found = analyze({
      ...emptySnapshot(),
      pods: [pod({ statuses: [crashed(1)] })],
      logs: [log('app', [line])],
    });

    expect(found[0]?.rule).toBe('crash-loop/connection-refused');
    expect(JSON.stringify(found)).not.toContain(PASSWORD);
  });

  it('shows no URL password when the 400-character line bound cuts before its @', () => {
    const lines = logLines(withAtAt(400, `ERROR connection refused ${URL}`));

    const found = analyze({
      ...emptySnapshot(),
      pods: [pod({ statuses: [crashed(1)] })],
      logs: [log('app', lines)],
    });

    expect(JSON.stringify(found)).not.toContain(PASSWORD);
  });

  it("shows no URL password when a failed Job's termination message or log line is cut before its @", () => {
    const message = withAtAt(200, `migration failed: ${URL}`);
    const line = withAtAt(300, `FATAL ${URL}`);
    const snapshot = {
      ...emptySnapshot(),
      jobs: [failedJob()],
      pods: [failedJobPod(message)],
      logs: [
        {
          namespace: 'accounts',
          pod: 'db-migrate-x1',
          container: 'migrate',
          previous: false,
          lines: [line],
        },
      ],
    };

    const found = analyze(snapshot);

    expect(found[0]?.rule).toBe('job/backoff-limit');
    expect(JSON.stringify(found)).not.toContain(PASSWORD);
  });

  it("shows no line of a private key's body among a crash's last log lines", () => {
    const body = 'MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF';
    const lines = [
      'loaded signing key:',
      '-----BEGIN RSA PRIVATE KEY-----',
      body,
      '-----END RSA PRIVATE KEY-----',
      'exiting',
    ];

    const found = analyze({
      ...emptySnapshot(),
      pods: [pod({ statuses: [crashed(1)] })],
      logs: [log('app', lines)],
    });

    expect(found[0]?.rule).toBe('crash-loop');
    expect(JSON.stringify(found)).not.toContain(body);
  });

  it('shows no password a YAML block scalar holds on the line under its key', () => {
    const lines = ['config dump:', 'db:', '  password: |', '    Hunter2-BlockScalar', 'exiting'];

    const found = analyze({
      ...emptySnapshot(),
      pods: [pod({ statuses: [crashed(1)] })],
      logs: [log('app', lines)],
    });

    expect(JSON.stringify(found)).not.toContain('Hunter2-BlockScalar');
  });
});

describe('credentials in a quoted log line without a URL scheme', () => {
  it('shows no password written as user:password@host', () => {
    const line = `dial tcp admin:${PASSWORD}@db.example.com:5432: connect: connection refused`;

    const found = analyze({
      ...emptySnapshot(),
      pods: [pod({ statuses: [crashed(1)] })],
      logs: [log('app', [line])],
    });

    expect(found[0]?.rule).toBe('crash-loop/connection-refused');
    expect(JSON.stringify(found)).not.toContain(PASSWORD);
  });
});

function failedJob(): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'db-migrate', namespace: 'accounts', uid: 'uid-db-migrate' },
    spec: { backoffLimit: 3, template: { spec: { containers: [{ name: 'migrate' }] } } },
    status: {
      failed: 4,
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        },
      ],
    },
  };
}

function failedJobPod(message: string): V1Pod {
  return {
    metadata: {
      name: 'db-migrate-x1',
      namespace: 'accounts',
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: 'db-migrate',
          uid: 'uid-db-migrate',
          controller: true,
        },
      ],
    },
    status: {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'migrate',
          image: 'migrate:1.14.0',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 1, reason: 'Error', message } },
        },
      ],
    },
  };
}
