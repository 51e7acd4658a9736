import type { CoreV1Event, V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeServices } from './services.ts';

const NS = 'notifications';

function service(
  selector: Record<string, string> | undefined,
  targetPort: number | string = 'http',
): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'notifications', namespace: NS },
    spec: {
      type: 'ClusterIP',
      ...(selector ? { selector } : {}),
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort }],
    },
  };
}

function pod(name: string, labels: Record<string, string>, ready: boolean): V1Pod {
  return {
    metadata: { name, namespace: NS, labels },
    spec: {
      containers: [
        {
          name: 'api',
          image: 'api:2',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

function slice(ready: boolean): V1EndpointSlice {
  return {
    addressType: 'IPv4',
    metadata: {
      name: 'notifications-abcde',
      namespace: NS,
      labels: { 'kubernetes.io/service-name': 'notifications' },
    },
    endpoints: [
      { addresses: ['10.244.1.7'], conditions: { ready, serving: ready, terminating: false } },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

describe('services', () => {
  it('find nothing for a Service whose ready pods expose its target port', () => {
    const snapshot = {
      ...emptySnapshot(),
      services: [service({ app: 'notifications-api' })],
      pods: [pod('api-1', { app: 'notifications-api' }, true)],
      endpointSlices: [slice(true)],
    };

    expect(analyzeServices(snapshot)).toEqual([]);
  });

  it('say a selector that matches no pod, and the pod whose label is spelled nearly alike', () => {
    const snapshot = {
      ...emptySnapshot(),
      services: [service({ app: 'notification-api' })],
      pods: [
        pod('api-1', { app: 'notifications-api', tier: 'backend' }, true),
        pod('db-0', { app: 'postgres' }, true),
      ],
    };

    const [finding, ...rest] = analyzeServices(snapshot);

    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'service/no-matching-pods',
      severity: 'warning',
      confidence: 'certain',
    });
    expect(finding?.cause).toBe(
      'its selector app=notification-api matches no pod; pod api-1 has app=notifications-api instead of app=notification-api',
    );
    expect(finding?.evidence).toEqual([
      'Service notifications spec.selector: app=notification-api',
      'Pod api-1 metadata.labels[app]: notifications-api',
    ]);
  });

  it('say pods none of which is ready, citing the EndpointSlices', () => {
    const snapshot = {
      ...emptySnapshot(),
      services: [service({ app: 'notifications-api' })],
      pods: [pod('api-1', { app: 'notifications-api' }, false)],
      endpointSlices: [slice(false)],
      events: [
        {
          metadata: { name: 'api-1.1', namespace: NS },
          involvedObject: { kind: 'Pod', name: 'api-1', namespace: NS },
          reason: 'Unhealthy',
          message:
            'Readiness probe failed: Get "http://10.244.1.7:9200/health": dial tcp 10.244.1.7:9200: connect: connection refused',
          count: 40,
        },
      ],
    };

    const [finding] = analyzeServices(snapshot);

    expect(finding).toMatchObject({ rule: 'service/no-ready-endpoints', severity: 'critical' });
    expect(finding?.evidence).toContain('EndpointSlices of notifications: 1 endpoint, 0 ready');
    expect(finding?.cause).toBe(
      'none of the 1 pod it sends to is ready, so it has nowhere to send traffic: Readiness probe failed: Get "http://10.244.1.7:9200/health": dial tcp 10.244.1.7:9200: connect: connection refused',
    );
    // The selector is right here: nothing in the finding may point at it.
    expect(JSON.stringify(finding)).not.toMatch(/selector/i);
  });

  it('say a named targetPort no container defines, and a number none exposes', () => {
    const named = analyzeServices({
      ...emptySnapshot(),
      services: [service({ app: 'api' }, 'web')],
      pods: [pod('api-1', { app: 'api' }, true)],
    });
    const numbered = analyzeServices({
      ...emptySnapshot(),
      services: [service({ app: 'api' }, 9090)],
      pods: [pod('api-1', { app: 'api' }, true)],
    });

    expect(named[0]).toMatchObject({ rule: 'service/target-port', confidence: 'certain' });
    expect(named[0]?.cause).toBe(
      'its port 80 names the port web, which no container of the selected pods defines',
    );
    expect(numbered[0]).toMatchObject({ rule: 'service/target-port', confidence: 'likely' });
    expect(numbered[0]?.cause).toBe(
      "its port 80 sends to port 9090, which the selected pods' containers do not expose (they expose 8080)",
    );
    expect(numbered[0]?.evidence).toContain("containers' ports: http:8080/TCP");
  });

  it('leave alone Services without a selector, and ExternalName ones', () => {
    const external: V1Service = {
      metadata: { name: 'billing', namespace: NS },
      spec: { type: 'ExternalName', externalName: 'billing.example.com' },
    };

    expect(
      analyzeServices({ ...emptySnapshot(), services: [service(undefined), external] }),
    ).toEqual([]);
  });

  it('quote why the cloud controller could not give a LoadBalancer Service its address', () => {
    const lb: V1Service = {
      ...service(undefined, 80),
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      status: { loadBalancer: {} },
    };
    const event = (reason: string, message: string, type: string): CoreV1Event => ({
      metadata: { name: `notifications.${reason}`, namespace: NS },
      involvedObject: { kind: 'Service', name: 'notifications', namespace: NS },
      reason,
      message,
      type,
      count: 11,
      firstTimestamp: new Date('2026-12-07T12:34:00Z'),
      lastTimestamp: new Date('2026-12-07T12:58:30Z'),
    });
    const snapshot = {
      ...emptySnapshot(),
      services: [lb],
      events: [
        event('EnsuringLoadBalancer', 'Ensuring load balancer', 'Normal'),
        event(
          'SyncLoadBalancerFailed',
          'Error syncing load balancer: failed to ensure load balancer: could not find any suitable subnets for creating the ELB',
          'Warning',
        ),
      ],
    };

    const [finding, ...rest] = analyzeServices(snapshot);

    expect(rest).toEqual([]);
    expect(finding?.rule).toBe('service/load-balancer-failed');
    expect(finding?.confidence).toBe('certain');
    expect(finding?.cause).toContain('could not find any suitable subnets for creating the ELB');
    expect(finding?.evidence).toContain(
      'Service notifications status.loadBalancer.ingress: (none)',
    );
    expect(finding?.evidence.join('\n')).toContain('event SyncLoadBalancerFailed: Error syncing');

    // Ensuring for 24 minutes without a word of failure: stuck, but why is not known.
    const stuck = analyzeServices({ ...snapshot, events: snapshot.events.slice(0, 1) });
    expect(stuck.map((f) => [f.rule, f.confidence])).toEqual([
      ['service/load-balancer-failed', 'unsure'],
    ]);

    // With an address, nothing is wrong, whatever the old events say.
    const served = {
      ...lb,
      status: { loadBalancer: { ingress: [{ hostname: 'a.elb.example' }] } },
    };
    expect(analyzeServices({ ...snapshot, services: [served] })).toEqual([]);
  });
});
