import type { V1Container } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  crashed,
  event,
  findings,
  log,
  only,
  pod,
  status,
} from '../../../../test/support/pod-shapes.ts';

describe('probe kills', () => {
  const gateway: V1Container = {
    name: 'gateway',
    image: 'ghcr.io/acme/gateway:3.9.1',
    ports: [{ name: 'http', containerPort: 8080 }],
    livenessProbe: {
      httpGet: { path: '/healthz', port: 'http' },
      initialDelaySeconds: 15,
      periodSeconds: 10,
      failureThreshold: 3,
    },
  };
  const field = 'spec.containers{gateway}';

  it('tells a liveness kill (137, Error) from an OOM kill and names the probe', () => {
    const killed = {
      ...crashed(137, 'Error', 'gateway'),
      state: { running: { startedAt: new Date() } },
    };

    const finding = only({
      pods: [pod({ containers: [gateway], statuses: [killed] })],
      events: [
        event(
          'Unhealthy',
          'Liveness probe failed: HTTP probe failed with statuscode: 500',
          field,
          9,
        ),
        event('Killing', 'Container gateway failed liveness probe, will be restarted', field, 3),
      ],
      logs: [
        log('gateway', ['WARN  session store: dial tcp sessions.gateway.svc:6379: i/o timeout']),
      ],
    });

    expect(finding).toMatchObject({ rule: 'crash-loop/liveness-probe', confidence: 'certain' });
    expect(finding.cause).toContain(
      'its liveness probe (HTTP GET /healthz on port http (8080); timeout 1s, every 10s, 3 failures in a row, initial delay 15s) fails: HTTP probe failed with statuscode: 500',
    );
    expect(finding.cause).toContain('sessions.gateway.svc:6379');
    expect(finding.action).toBeUndefined();
  });

  it('sees a liveness kill from the probe failures once the Killing event is gone', () => {
    const killed = crashed(143, 'Error', 'gateway');

    const finding = only({
      pods: [pod({ containers: [gateway], statuses: [killed] })],
      events: [
        event(
          'Unhealthy',
          'Liveness probe failed: Get "http://10.244.1.9:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
          field,
          31,
        ),
      ],
    });

    expect(finding).toMatchObject({ rule: 'crash-loop/liveness-probe', confidence: 'likely' });
    expect(finding.confidenceReason).toContain('exit code 143, not OOMKilled');
  });

  it('does not blame the liveness probe for a container that exits by itself', () => {
    const finding = only({
      pods: [pod({ containers: [gateway], statuses: [crashed(1, 'Error', 'gateway')] })],
      events: [
        event('Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500', field),
      ],
    });

    expect(finding.rule).toBe('crash-loop');
  });

  it("gives a startup probe's budget against how long the container ran", () => {
    const slow: V1Container = {
      name: 'gateway',
      image: 'ghcr.io/acme/gateway:3.9.1',
      startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5, failureThreshold: 6 },
    };

    const finding = only({
      pods: [pod({ containers: [slow], statuses: [crashed(137, 'Error', 'gateway')] })],
      events: [
        event(
          'Unhealthy',
          'Startup probe failed: dial tcp 10.244.1.9:8080: connect: connection refused',
          field,
        ),
        event('Killing', 'Container gateway failed startup probe, will be restarted', field),
      ],
    });

    expect(finding.rule).toBe('crash-loop/startup-probe');
    expect(finding.cause).toContain(
      "within the probe's budget of 30s (initialDelaySeconds 0 + failureThreshold 6 × periodSeconds 5); it ran 4s before it was killed",
    );
  });

  it('gives the readiness probe target and failure message', () => {
    const web: V1Container = {
      name: 'app',
      image: 'ghcr.io/acme/web:1.4.2',
      readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
    };
    const running = status({ state: { running: { startedAt: new Date('2026-12-07T09:00:00Z') } } });

    const finding = only({
      pods: [pod({ containers: [web], statuses: [running] })],
      events: [
        event(
          'Unhealthy',
          'Readiness probe failed: Get "http://10.244.1.9:8080/ready": dial tcp 10.244.1.9:8080: connect: connection refused',
          'spec.containers{app}',
          40,
        ),
      ],
    });

    expect(finding).toMatchObject({
      rule: 'readiness-failing/connection-refused',
      severity: 'warning',
    });
    expect(finding.cause).toContain('HTTP GET /ready on port 8080; timeout 1s, every 5s');
    expect(finding.cause).toContain('nothing listens on the probed port');
  });

  it("does not take another container's probe events for this one's", () => {
    const running = status({ state: { running: { startedAt: new Date() } } });

    const found = findings({
      pods: [pod({ statuses: [running] })],
      events: [event('Unhealthy', 'Readiness probe failed: timeout', 'spec.containers{other}')],
    });

    expect(found).toEqual([]);
  });
});
