import type { CoreV1Event, V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  crashed,
  crashedReplica,
  event,
  findings,
  log,
  NS,
  only,
  POD,
  pod,
  status,
} from '../../../../test/support/pod-shapes.ts';
import { type ContainerLog, emptySnapshot } from '../snapshot.ts';
import { analyzePods } from './pods.ts';

describe('crash loops', () => {
  it('names the address a connection is refused on, from the previous instance log', () => {
    const line = 'dial tcp 10.96.14.3:5432: connect: connection refused';

    const finding = only({
      pods: [pod({ statuses: [crashed(1)] })],
      logs: [log('app', ['INFO starting web 1.4.2', `FATAL cannot reach database: ${line}`])],
    });

    expect(finding).toMatchObject({
      rule: 'crash-loop/connection-refused',
      confidence: 'likely',
      title: `container app of pod ${POD} is crash looping (6 restarts)`,
    });
    expect(finding.cause).toBe(
      `container app of pod ${POD} exits because it cannot connect to 10.96.14.3:5432: connection refused, nothing listens there or the server is down; its log says: "FATAL cannot reach database: dial tcp 10.96.14.3:5432: connect: connection refused"`,
    );
    expect(finding.evidence).toContain(
      `Pod ${NS}/${POD} status.containerStatuses[app].lastState.terminated: Error, exit code 1 at 2026-12-07T10:00:04.000Z`,
    );
    expect(finding.evidence).toContain(`log app (previous): FATAL cannot reach database: ${line}`);
  });

  it('never echoes a password or token from a log line', () => {
    const lines = [
      'connecting to postgres://orders:S3cr3t-Pw0rd@orders-db:5432/orders?sslmode=require',
      'upstream auth header: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcmRlcnMifQ.c2lnbmF0dXJlLXNlY3JldA',
      'FATAL: password authentication failed for user "orders" (password=S3cr3t-Pw0rd)',
    ];

    const finding = only({ pods: [pod({ statuses: [crashed(1)] })], logs: [log('app', lines)] });

    expect(finding.rule).toBe('crash-loop/auth');
    const text = JSON.stringify(finding);
    expect(text).not.toContain('S3cr3t-Pw0rd');
    expect(text).not.toContain('c2lnbmF0dXJlLXNlY3JldA');
    expect(text).toContain('password authentication failed for user');
  });

  it('explains exit code 0 under restartPolicy Always', () => {
    const finding = only({ pods: [pod({ statuses: [crashed(0, 'Completed')] })] });

    expect(finding).toMatchObject({
      rule: 'crash-loop/exits-normally',
      confidence: 'certain',
      severity: 'warning',
    });
    expect(finding.cause).toContain('restartPolicy Always starts it again');
  });

  it.each([
    [127, 'crash-loop/command-not-found', 'not found in the image (exit code 127)'],
    [126, 'crash-loop/not-executable', 'not executable (exit code 126)'],
    [139, 'crash-loop/signal', 'segmentation fault (SIGSEGV, exit code 139)'],
    [134, 'crash-loop/signal', 'SIGABRT, exit code 134'],
  ])('explains exit code %i from the status alone', (code, rule, says) => {
    const finding = only({ pods: [pod({ statuses: [crashed(code)] })] });

    expect(finding).toMatchObject({ rule, confidence: 'certain' });
    expect(finding.cause).toContain(says);
  });

  it('says what it checked, and shows the last lines, when nothing in them says why', () => {
    const lines = ['INFO starting', 'INFO warming cache', 'INFO shutting down'];

    const finding = only({ pods: [pod({ statuses: [crashed(2)] })], logs: [log('app', lines)] });

    expect(finding).toMatchObject({ rule: 'crash-loop', confidence: 'unsure' });
    expect(finding.cause).toBe(
      `could not determine why container app of pod ${POD} exits (checked: exit code 2 (a generic error), last 3 log lines, events)`,
    );
    expect(finding.evidence).toContain('log app (previous): INFO shutting down');
  });

  it('says when the logs could not be read', () => {
    const finding = only({
      pods: [pod({ statuses: [crashed(137)] })],
      logs: [log('app', undefined, 'previous terminated container "app" not found')],
    });

    expect(finding.cause).toBe(
      `could not determine why container app of pod ${POD} exits (checked: exit code 137 (killed by SIGKILL), logs unavailable: previous terminated container "app" not found, events)`,
    );
  });

  it('sees a binary built for another architecture', () => {
    const finding = only({
      pods: [pod({ statuses: [crashed(1)] })],
      logs: [log('app', ['exec /app/server: exec format error'])],
    });

    expect(finding.rule).toBe('crash-loop/wrong-architecture');
  });

  it('sees a crash loop between two back-offs, while the container runs', () => {
    const between = {
      ...crashed(1),
      state: { running: { startedAt: new Date('2026-12-07T10:00:30Z') } },
    };
    const backOff = event(
      'BackOff',
      `Back-off restarting failed container app in pod ${POD}_${NS}(c0ffee00)`,
      'spec.containers{app}',
      4,
    );

    const finding = only({
      pods: [pod({ statuses: [between] })],
      events: [backOff],
      logs: [log('app', ['Error: listen EADDRINUSE: address already in use :::3000'])],
    });
    const earlier = findings({
      pods: [pod({ statuses: [between] })],
      events: [{ ...backOff, lastTimestamp: new Date('2026-12-07T09:00:00Z') }],
    });

    expect(finding.rule).toBe('crash-loop/port-in-use');
    expect(earlier).toEqual([]);
  });

  it('reads the termination message when there are no logs', () => {
    const ended = crashed(1);
    if (ended.lastState?.terminated) ended.lastState.terminated.message = "KeyError: 'API_TOKEN'\n";

    const finding = only({ pods: [pod({ statuses: [ended] })] });

    expect(finding.rule).toBe('crash-loop/missing-env');
  });
});

describe('init containers and sidecars', () => {
  const migrate: V1Container = { name: 'migrate', image: 'ghcr.io/acme/web:1.4.2' };
  const waitingForInit = status({ state: { waiting: { reason: 'PodInitializing' } } });

  it('names a failing init container and its log cause (Init:CrashLoopBackOff)', () => {
    const finding = only({
      pods: [
        pod({
          phase: 'Pending',
          initContainers: [migrate],
          initStatuses: [crashed(1, 'Error', 'migrate')],
          statuses: [waitingForInit],
        }),
      ],
      logs: [log('migrate', ['dial tcp: lookup postgres on 10.96.0.10:53: no such host'])],
    });

    expect(finding).toMatchObject({
      rule: 'init-container/dns',
      title: `init container migrate of pod ${POD} fails (6 restarts), so the pod's containers cannot start`,
    });
    expect(finding.evidence[0]).toMatch(/status\.initContainerStatuses\[migrate\]\.lastState/);
  });

  it('names an init container that failed for good (Init:Error)', () => {
    const failed = status({
      name: 'migrate',
      state: { terminated: { reason: 'Error', exitCode: 3 } },
    });

    const finding = only({
      pods: [
        pod({
          phase: 'Failed',
          spec: { restartPolicy: 'Never' },
          initContainers: [migrate],
          initStatuses: [failed],
          statuses: [waitingForInit],
        }),
      ],
    });

    expect(finding.rule).toBe('init-container');
    expect(finding.cause).toContain('exit code 3');
  });

  it('says what a long-running init container waits for, from its command', () => {
    const now = Date.parse('2026-12-07T10:30:00Z');
    const wait: V1Container = {
      name: 'wait-db',
      image: 'busybox:1.36',
      command: ['sh', '-c', 'until nslookup orders-db.shop.svc; do echo waiting; sleep 2; done'],
    };
    const running = status({
      name: 'wait-db',
      state: { running: { startedAt: new Date('2026-12-07T10:05:00Z') } },
    });
    const snapshot = {
      ...emptySnapshot(),
      pods: [
        pod({
          phase: 'Pending',
          initContainers: [wait],
          initStatuses: [running],
          statuses: [waitingForInit],
        }),
      ],
    };

    const [finding, ...rest] = analyzePods(snapshot, now);

    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'init-container/waiting-for-dependency',
      confidence: 'likely',
      title: `init container wait-db of pod ${POD} has been running for 25m, so the pod's containers cannot start`,
    });
    expect(finding?.cause).toContain('the host name orders-db.shop.svc to resolve');
    expect(analyzePods(snapshot, Date.parse('2026-12-07T10:06:00Z'))).toEqual([]);
  });

  it('says a sidecar fails, not the main container', () => {
    const proxy: V1Container = {
      name: 'proxy',
      image: 'envoyproxy/envoy:v1.31',
      restartPolicy: 'Always',
    };
    const healthy = status({ ready: true, state: { running: { startedAt: new Date() } } });

    const finding = only({
      pods: [
        pod({
          initContainers: [proxy],
          initStatuses: [crashed(1, 'Error', 'proxy')],
          statuses: [healthy],
        }),
      ],
      logs: [
        log('proxy', [
          'error initializing configuration: listen tcp 0.0.0.0:15001: bind: address already in use',
        ]),
      ],
    });

    expect(finding).toMatchObject({
      rule: 'sidecar/port-in-use',
      title: `sidecar proxy of pod ${POD} is crash looping (6 restarts)`,
    });
    expect(finding.cause).toContain('port 15001 is already in use');
  });

  it('finds nothing in a pod whose init container completed and whose sidecar runs', () => {
    const done = status({
      name: 'migrate',
      state: { terminated: { reason: 'Completed', exitCode: 0 } },
    });
    const proxy = status({
      name: 'proxy',
      ready: true,
      started: true,
      state: { running: { startedAt: new Date() } },
    });
    const app = status({ ready: true, state: { running: { startedAt: new Date() } } });

    const found = findings({
      pods: [
        pod({
          initContainers: [
            migrate,
            { name: 'proxy', image: 'envoyproxy/envoy:v1.31', restartPolicy: 'Always' },
          ],
          initStatuses: [done, proxy],
          statuses: [app],
        }),
      ],
    });

    expect(found).toEqual([]);
  });
});

describe('bad input', () => {
  it('reads pods with missing fields, odd statuses, empty and junk logs without throwing', () => {
    const bare = { metadata: { name: 'bare', namespace: NS } } as V1Pod;
    const noSpec = {
      metadata: { name: POD, namespace: NS },
      status: {
        containerStatuses: [{ name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    } as unknown as V1Pod;
    const nulls = {
      metadata: { name: 'nulls', namespace: NS },
      spec: { containers: [] },
      status: { containerStatuses: [null, {}, { name: 7 }], initContainerStatuses: [null] },
    } as unknown as V1Pod;
    const junk = ['\u0000\u00ff\ufffd', 'x'.repeat(200_000), ''];

    const found = findings({
      pods: [bare, noSpec, nulls],
      events: [{ metadata: {}, reason: 'Unhealthy' } as unknown as CoreV1Event],
      logs: [log('app', junk)],
    });

    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'crash-loop', confidence: 'unsure' });
    expect(found[0]?.cause).toContain('no exit code recorded');
  });

  it('reads null specs, odd termination fields and odd events of a crashing container', () => {
    const odd = crashed(1);
    if (odd.lastState?.terminated)
      Object.assign(odd.lastState.terminated, { message: 42, finishedAt: 'not a date' });
    const broken = pod({ initContainers: [null as unknown as V1Container], statuses: [odd] });
    if (broken.spec) broken.spec.volumes = [null as unknown as V1Volume];

    const finding = only({
      pods: [broken],
      events: [{ ...event('Unhealthy', ''), message: 7 } as unknown as CoreV1Event],
      logs: [null as unknown as ContainerLog, log('app', ['INFO bye'])],
    });

    expect(finding).toMatchObject({ rule: 'crash-loop', confidence: 'unsure' });
    // A message that is not text is dropped, not quoted.
    expect(finding.evidence[0]).toMatch(/exit code 1 at not a date$/);
  });

  it("reads a replica's last lines when its own were not read, and says whose they are", () => {
    const sibling = {
      ...log('app', ['dial tcp 10.96.14.3:5432: connect: connection refused']),
      pod: 'web-a',
      owner: 'ReplicaSet/web-7f9c6d5b8',
    };

    const found = findings({
      pods: [crashedReplica('web-a'), crashedReplica('web-b')],
      logs: [sibling],
    });

    const other = found.find((f) => f.object.name === 'web-b');
    expect(other?.rule).toBe('crash-loop/connection-refused');
    expect(other?.evidence).toContain(
      'log app of replica web-a (previous): dial tcp 10.96.14.3:5432: connect: connection refused',
    );
  });

  it('takes a status with no current state but failed restarts for a crash loop', () => {
    const restarted = status({
      restartCount: 4,
      lastState: { terminated: { exitCode: 1 } },
    });
    const ran = status({ restartCount: 4, lastState: { terminated: { exitCode: 0 } } });

    const finding = only({
      pods: [pod({ statuses: [restarted] })],
      logs: [log('app', ['fatal: cannot open /data/legacy.db: No such file or directory'])],
    });
    const none = findings({ pods: [pod({ statuses: [ran] })] });

    expect(finding).toMatchObject({ rule: 'crash-loop/missing-file', confidence: 'likely' });
    expect(finding.cause).toContain('/data/legacy.db');
    expect(none).toEqual([]);
  });

  it('reads a crash loop with empty logs as not determined', () => {
    const finding = only({ pods: [pod({ statuses: [crashed(1)] })], logs: [log('app', [])] });

    expect(finding.cause).toContain('logs empty');
  });
});
