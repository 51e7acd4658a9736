import { describe, expect, it } from 'vitest';
import { REDACTED } from './redact.ts';
import { redactObject } from './redact-object.ts';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'payments-api',
    namespace: 'payments',
    uid: '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"env":[{"value":"hunter2"}]}}',
      'deployment.kubernetes.io/revision': '7',
      'example.com/notes': 'rotate DB_PASSWORD=oldpass-123 next week',
    },
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  },
  spec: {
    template: {
      spec: {
        initContainers: [
          { name: 'migrate', env: [{ name: 'DATABASE_URL', value: 'postgres://u:p4ss@db/x' }] },
        ],
        containers: [
          {
            name: 'api',
            image: 'ghcr.io/acme/payments-api:v2.14.3',
            env: [
              { name: 'LOG_LEVEL', value: 'debug' },
              { name: 'STRIPE_KEY', value: 'sk_live_51H8xYzAbCdEfGhIjKlMnOpQr' },
              {
                name: 'DB_PASSWORD',
                valueFrom: { secretKeyRef: { name: 'payments-db', key: 'password' } },
              },
            ],
          },
        ],
      },
    },
  },
};

describe('redactObject', () => {
  it('removes what must never leave a tool and keeps what says where values come from', () => {
    const out = redactObject(deployment);
    const text = JSON.stringify(out);

    for (const secret of ['hunter2', 'oldpass-123', 'p4ss', 'sk_live', 'debug'])
      expect(text).not.toContain(secret);
    expect(out.metadata.annotations).not.toHaveProperty([
      'kubectl.kubernetes.io/last-applied-configuration',
    ]);
    expect(out.metadata).not.toHaveProperty('managedFields');
    const env = out.spec.template.spec.containers[0]?.env;
    expect(env?.map((e) => e.name)).toEqual(['LOG_LEVEL', 'STRIPE_KEY', 'DB_PASSWORD']);
    expect(env?.[0]).toEqual({ name: 'LOG_LEVEL', value: REDACTED });
    expect(env?.[2]).toEqual({
      name: 'DB_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'payments-db', key: 'password' } },
    });
    expect(out.metadata.annotations['deployment.kubernetes.io/revision']).toBe('7');
    expect(out.metadata.uid).toBe('3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
    expect(out.spec.template.spec.containers[0]?.image).toBe('ghcr.io/acme/payments-api:v2.14.3');
  });

  it('drops the data of a Secret', () => {
    const secret = {
      kind: 'Secret',
      metadata: { name: 'payments-db' },
      data: { password: 'aHVudGVyMg==' },
      stringData: { user: 'app' },
    };

    expect(redactObject(secret)).toEqual({ kind: 'Secret', metadata: { name: 'payments-db' } });
  });

  it('leaves its input untouched', () => {
    const before = JSON.stringify(deployment);

    redactObject(deployment);

    expect(JSON.stringify(deployment)).toBe(before);
  });
});
