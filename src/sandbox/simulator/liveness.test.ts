import { describe, expect, it } from 'vitest';
import { ImageBehaviour } from '../scenario.ts';
import { livenessFailure, livenessKillAfter } from './liveness.ts';

const hangs = (after: number, as: 'error' | 'timeout' = 'error') =>
  ImageBehaviour.parse({ unhealthyAfter: after, unhealthyAs: as });

const container = {
  name: 'app',
  ports: [{ name: 'http', containerPort: 8080 }],
  livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
};

describe('the liveness probe', () => {
  it('kills after failureThreshold failed probes, each periodSeconds apart, from the first failing one', () => {
    const probed = {
      ...container,
      livenessProbe: { ...container.livenessProbe, initialDelaySeconds: 15, periodSeconds: 10 },
    };

    // Probes at 15, 25 … 95 s: 95 s is the first to fail, 115 s the third.
    expect(livenessKillAfter(probed, hangs(90))).toBe(115);
    expect(livenessKillAfter(container, hangs(0))).toBe(20);
  });

  it('waits out the probe timeout when the endpoint does not answer', () => {
    const probed = {
      ...container,
      livenessProbe: { ...container.livenessProbe, timeoutSeconds: 2 },
    };

    expect(livenessKillAfter(probed, hangs(0, 'timeout'))).toBe(22);
  });

  it('never kills a healthy image, nor a container without a liveness probe', () => {
    expect(livenessKillAfter(container, ImageBehaviour.parse({}))).toBeUndefined();
    expect(livenessKillAfter({ name: 'app' }, hangs(0))).toBeUndefined();
  });

  it('reports what the prober reports, with a named port resolved', () => {
    expect(livenessFailure(container, hangs(0), '10.244.1.5')).toBe(
      'HTTP probe failed with statuscode: 500',
    );
    expect(livenessFailure(container, hangs(0, 'timeout'), '10.244.1.5')).toBe(
      'Get "http://10.244.1.5:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    );
    const tcp = { name: 'db', livenessProbe: { tcpSocket: { port: 5432 } } };
    expect(livenessFailure(tcp, hangs(0), '10.244.1.5')).toBe(
      'dial tcp 10.244.1.5:5432: connect: connection refused',
    );
  });
});
