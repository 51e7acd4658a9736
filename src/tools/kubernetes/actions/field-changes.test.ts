import { describe, expect, it } from 'vitest';
import { changeLines, describeChanges, leafChanges } from './field-changes.ts';

function deployment(pod: Record<string, unknown>, container: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'payments', resourceVersion: '10', generation: 3 },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: { app: 'api' } },
        spec: {
          containers: [
            {
              name: 'api',
              image: 'ghcr.io/acme/api:1.4.2',
              resources: { limits: { memory: '256Mi' } },
              env: [{ name: 'DB_PASSWORD', value: 'hunter2-old' }],
              ...container,
            },
            { name: 'proxy', image: 'envoyproxy/envoy:v1.31' },
          ],
          ...pod,
        },
      },
    },
    status: { replicas: 2 },
  };
}

function changes(kind: string, before: unknown, after: unknown) {
  return describeChanges(kind, leafChanges(before, after));
}

describe('field changes', () => {
  it('lists every changed field with its path and old → new, containers by name', () => {
    const before = deployment({});
    const after = deployment(
      { hostPID: true, serviceAccountName: 'cluster-admin-sa' },
      { resources: { limits: { memory: '512Mi' } }, securityContext: { privileged: true } },
    );

    const list = changeLines(changes('Deployment', before, after));

    expect(list.split('\n')).toEqual([
      'spec.template.spec.containers[api].resources.limits.memory: 256Mi → 512Mi',
      'spec.template.spec.containers[api].securityContext.privileged: (unset) → true',
      'spec.template.spec.hostPID: (unset) → true',
      'spec.template.spec.serviceAccountName: (unset) → cluster-admin-sa',
    ]);
  });

  it('ignores what every write changes: status, resourceVersion, generation', () => {
    const before = deployment({});
    const after = {
      ...deployment({}),
      metadata: { ...before.metadata, resourceVersion: '11', generation: 4 },
      status: { replicas: 3 },
    };

    expect(leafChanges(before, after)).toEqual([]);
  });

  it('shows env values in every container list only as changed, never their text', () => {
    const cronJob = (init: string, main: string) => ({
      kind: 'CronJob',
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                initContainers: [{ name: 'migrate', env: [{ name: 'TOKEN', value: init }] }],
                containers: [{ name: 'job', env: [{ name: 'MODE', value: main }] }],
              },
            },
          },
        },
      },
    });

    const list = changes('CronJob', cronJob('s3cr3t-a', 'fast'), cronJob('s3cr3t-b', 'slow'));

    expect(list).toEqual([
      {
        path: 'spec.jobTemplate.spec.template.spec.containers[job].env[MODE].value',
        from: '[redacted]',
        to: '[redacted; changed]',
      },
      {
        path: 'spec.jobTemplate.spec.template.spec.initContainers[migrate].env[TOKEN].value',
        from: '[redacted]',
        to: '[redacted; changed]',
      },
    ]);
    expect(JSON.stringify(list)).not.toMatch(/s3cr3t|fast|slow/);
  });

  it('shows every ConfigMap data value only as changed', () => {
    const before = { kind: 'ConfigMap', data: { LOG_LEVEL: 'info', DB_PASSWORD: 'pw-1' } };
    const after = {
      kind: 'ConfigMap',
      data: { LOG_LEVEL: 'debug', DB_PASSWORD: 'pw-1', NEW: 'x' },
    };

    expect(changes('ConfigMap', before, after)).toEqual([
      { path: 'data.LOG_LEVEL', from: '[redacted]', to: '[redacted; changed]' },
      { path: 'data.NEW', from: '(unset)', to: '[redacted]' },
    ]);
  });

  it('hides values under secret-looking keys in annotations and labels', () => {
    const before = { kind: 'Service', metadata: { annotations: { 'acme.io/api-token': 'a1' } } };
    const after = { kind: 'Service', metadata: { annotations: { 'acme.io/api-token': 'b2' } } };

    expect(changes('Service', before, after)).toEqual([
      {
        path: 'metadata.annotations["acme.io/api-token"]',
        from: '[redacted]',
        to: '[redacted; changed]',
      },
    ]);
  });

  it('still shows a change that redaction makes read the same on both sides', () => {
    const before = {
      kind: 'Service',
      metadata: { annotations: { note: 'Bearer abcdefghijklmnopqrst' } },
    };
    const after = {
      kind: 'Service',
      metadata: { annotations: { note: 'Bearer zyxwvutsrqponmlkjihg' } },
    };

    const [change] = changes('Service', before, after);

    expect(change?.to).toBe('[redacted; changed]');
    expect(JSON.stringify(change)).not.toContain('abcdefghijklmnopqrst');
  });

  it('flattens a new object into its leaves, so nothing hides inside it', () => {
    const before = deployment({ volumes: [] });
    const after = deployment({ volumes: [{ name: 'root', hostPath: { path: '/' } }] });

    expect(changeLines(changes('Deployment', before, after))).toBe(
      'spec.template.spec.volumes[root].hostPath.path: (unset) → /',
    );
  });

  it('splits a scalar that becomes an object into its removal and the new leaves', () => {
    const before = deployment({ securityContext: null });
    const after = deployment({ securityContext: { runAsUser: 0 } });

    expect(changeLines(changes('Deployment', before, after)).split('\n')).toEqual([
      'spec.template.spec.securityContext: null → (unset)',
      'spec.template.spec.securityContext.runAsUser: (unset) → 0',
    ]);
  });

  it('lists items by index where names are missing or repeated, and word lists as one value', () => {
    const before = {
      kind: 'Pod',
      spec: {
        containers: [
          {
            name: 'a',
            args: ['--x'],
            volumeMounts: [
              { name: 'v', mountPath: '/a' },
              { name: 'v', mountPath: '/b' },
            ],
          },
        ],
      },
    };
    const after = {
      kind: 'Pod',
      spec: {
        containers: [
          {
            name: 'a',
            args: ['--x', '--y'],
            volumeMounts: [
              { name: 'v', mountPath: '/a' },
              { name: 'v', mountPath: '/etc' },
            ],
          },
        ],
      },
    };

    expect(changeLines(changes('Pod', before, after)).split('\n')).toEqual([
      'spec.containers[a].args: ["--x"] → ["--x","--y"]',
      'spec.containers[a].volumeMounts[#1].mountPath: /b → /etc',
    ]);
  });

  it('never cuts the list', () => {
    const data = (prefix: string) =>
      Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, `${prefix}${i}`]));

    const list = changes(
      'Service',
      { kind: 'Service', metadata: { labels: data('a') } },
      {
        kind: 'Service',
        metadata: { labels: data('b') },
      },
    );

    expect(list).toHaveLength(300);
  });

  it('lists a new order of named items, which changes what runs first', () => {
    const pod = (names: string[]) => ({
      kind: 'Pod',
      spec: { initContainers: names.map((name) => ({ name, image: 'x' })) },
    });

    expect(
      changeLines(changes('Pod', pod(['wait-db', 'migrate']), pod(['migrate', 'wait-db']))),
    ).toBe('spec.initContainers (order): ["wait-db","migrate"] → ["migrate","wait-db"]');
  });

  it('writes line separators and direction controls as escapes, so a value cannot forge a line', () => {
    const before = { kind: 'Service', metadata: { annotations: { note: 'a' } } };
    const after = {
      kind: 'Service',
      metadata: { annotations: { note: 'ok\u2028spec.replicas: 2 → 3 \u202e' } },
    };

    const [change] = changes('Service', before, after);

    expect(change?.to).toContain('\\u2028');
    expect(change?.to).toContain('\\u202e');
    expect(change?.to).not.toMatch(/[\u2028\u202e]/);
  });

  it('quotes item names that are not plain names, and marks positions with #', () => {
    const env = (name: string, value: string) => ({
      kind: 'Pod',
      spec: {
        containers: [{ name: 'a', env: [{ name, valueFrom: { fieldRef: { fieldPath: value } } }] }],
      },
    });

    const [change] = changes('Pod', env('X] .y', 'a'), env('X] .y', 'b'));

    expect(change?.path).toBe('spec.containers[a].env["X] .y"].valueFrom.fieldRef.fieldPath');
  });

  it('hides values under secret-named list items and keys, and secret arguments', () => {
    const probe = (header: string, arg: string) => ({
      kind: 'Deployment',
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'api',
                args: ['--db-password', arg],
                readinessProbe: {
                  httpGet: { httpHeaders: [{ name: 'Authorization', value: header }] },
                },
              },
            ],
          },
        },
      },
    });

    const list = changes(
      'Deployment',
      probe('Basic b2xk', 'Old-pw'),
      probe('Basic bmV3', 'New-pw'),
    );

    expect(JSON.stringify(list)).not.toMatch(/b2xk|bmV3|Old-pw|New-pw/);
    expect(list.map((c) => c.path)).toEqual([
      'spec.template.spec.containers[api].args',
      'spec.template.spec.containers[api].readinessProbe.httpGet.httpHeaders[Authorization].value',
    ]);
  });
});
