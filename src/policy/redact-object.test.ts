import { describe, expect, it } from 'vitest';
import { REDACTED } from './redact.ts';
import { MAX_REDACTED_DEPTH, redactObject } from './redact-object.ts';

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

  it('redacts the value under any key that names a secret, in every map', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'payments-config',
        labels: { app: 'session-store', 'app.kubernetes.io/name': 'keycloak-0' },
        annotations: {
          'example.com/api-token': 'tok-9f8e7d6c5b4a',
          'nginx.ingress.kubernetes.io/auth-url': 'https://auth.example.com/verify',
          'example.com/key_count': '3',
        },
      },
      data: {
        LOG_LEVEL: 'debug',
        DB_PASSWORD: 'Winter2026!',
        API_TOKEN: 'api-tok-0011223344',
        'tls.key': 'key-material-that-is-secret',
        SESSION_TIMEOUT: '30m',
        'application.yaml': 'db:\n  host: pg\n  password: yaml-secret-42\n',
        FEATURE_FLAGS: 'auth=true',
      },
      binaryData: { 'signing.key': 'c2lnbmluZy1rZXktYnl0ZXM=' },
    };

    const out = redactObject(configMap);

    expect(out.data).toEqual({
      LOG_LEVEL: 'debug',
      DB_PASSWORD: REDACTED,
      API_TOKEN: REDACTED,
      'tls.key': REDACTED,
      SESSION_TIMEOUT: '30m',
      'application.yaml': `db:\n  host: pg\n  password: ${REDACTED}\n`,
      FEATURE_FLAGS: 'auth=true',
    });
    expect(out.binaryData).toEqual({ 'signing.key': REDACTED });
    expect(out.metadata.labels).toEqual(configMap.metadata.labels);
    expect(out.metadata.annotations).toEqual({
      'example.com/api-token': REDACTED,
      'nginx.ingress.kubernetes.io/auth-url': 'https://auth.example.com/verify',
      'example.com/key_count': '3',
    });
  });

  it('redacts secret name/value pairs and flag arguments, and keeps references to secrets', () => {
    const pod = {
      kind: 'Pod',
      metadata: { name: 'tokenizer-7d9f-abc12' },
      spec: {
        affinity: { podAntiAffinity: { topologyKey: 'kubernetes.io/hostname' } },
        containers: [
          {
            name: 'authz-proxy',
            args: ['--db-password', 'hunter2-arg', '--port', '8080', '--token=tok-inline-77'],
            env: [
              {
                name: 'DB_PASSWORD',
                valueFrom: { secretKeyRef: { name: 'payments-db', key: 'password' } },
              },
            ],
          },
        ],
        volumes: [{ name: 'tls', secret: { secretName: 'payments-tls' } }],
      },
      helm: {
        parameters: [
          { name: 'db.password', value: 'helm-secret-9' },
          { name: 'replicas', value: '3' },
        ],
      },
      service: { sessionAffinity: 'ClientIP' },
      custom: { auth: { pin: 1234, password: 987654, enabled: true, port: 8443 } },
    };

    const out = redactObject(pod);
    const text = JSON.stringify(out);

    for (const secret of ['hunter2-arg', 'tok-inline-77', 'helm-secret-9'])
      expect(text).not.toContain(secret);
    expect(out.spec.containers[0]?.args).toEqual([
      '--db-password',
      REDACTED,
      '--port',
      '8080',
      `--token=${REDACTED}`,
    ]);
    expect(out.helm.parameters[1]).toEqual({ name: 'replicas', value: '3' });
    expect(out.spec.containers[0]?.env[0]?.valueFrom.secretKeyRef).toEqual({
      name: 'payments-db',
      key: 'password',
    });
    expect(out.spec.volumes[0]?.secret.secretName).toBe('payments-tls');
    expect(out.spec.affinity.podAntiAffinity.topologyKey).toBe('kubernetes.io/hostname');
    expect(out.service.sessionAffinity).toBe('ClientIP');
    expect(out.custom.auth).toEqual({
      pin: REDACTED,
      password: REDACTED,
      enabled: true,
      port: 8443,
    });
    expect(out.metadata.name).toBe('tokenizer-7d9f-abc12');
    expect(out.spec.containers[0]?.name).toBe('authz-proxy');
  });

  it('keeps labels and the names of Secrets readable, and redacts key/value parameters', () => {
    const release = {
      kind: 'Application',
      metadata: { name: 'shop', labels: { session: 'sticky', auth: 'oidc' } },
      spec: {
        selector: { matchLabels: { session: 'sticky' } },
        values: { auth: { existingSecret: 'shop-db-creds', enabled: 'enabled' } },
        parameters: [{ key: 'db.password', value: 'param-secret-3' }],
        secret: 'webhook-hunter2x9',
        webhook: { secret: { value: 'wh-secret-5' }, signing: { value: 'sha256' } },
      },
    };

    const out = redactObject(release);

    expect(out.metadata.labels).toEqual({ session: 'sticky', auth: 'oidc' });
    expect(out.spec.selector.matchLabels).toEqual({ session: 'sticky' });
    expect(out.spec.values.auth).toEqual({ existingSecret: 'shop-db-creds', enabled: 'enabled' });
    expect(out.spec.parameters[0]).toEqual({ key: 'db.password', value: REDACTED });
    expect(out.spec.secret).toBe(REDACTED);
    expect(out.spec.webhook).toEqual({
      secret: { value: REDACTED },
      signing: { value: 'sha256' },
    });
  });

  it('cuts an object nested deeper than any Kubernetes object, instead of overflowing', () => {
    let nested: unknown = { password: 'deep-secret-1' };
    for (let i = 0; i < 20_000; i++) nested = { a: nested };
    const object = { kind: 'Widget', spec: { token: 'tok-1234', nested } };

    const out = redactObject(object) as { spec: { token: string; nested: unknown } };

    expect(out.spec.token).toBe(REDACTED);
    const text = JSON.stringify(out);
    expect(text).toContain(`[cut: nested more than ${MAX_REDACTED_DEPTH} levels deep]`);
    expect(text).not.toContain('deep-secret-1');
  });

  it('cuts an object inside itself, and copies one merely shared wherever it appears', () => {
    const shared: Record<string, unknown> = { name: 'api', password: 'cyc-secret-2' };
    shared.self = shared;

    const out = redactObject({ first: shared, second: shared }) as {
      first: Record<string, unknown>;
      second: Record<string, unknown>;
    };

    expect(out.first.password).toBe(REDACTED);
    expect(out.first.self).toBe('[cut: an object inside itself]');
    expect(out.second).toEqual(out.first);
  });

  it('keeps dates', () => {
    const created = new Date('2026-11-21T09:12:40Z');

    const out = redactObject({ metadata: { creationTimestamp: created } });

    expect(out.metadata.creationTimestamp).toEqual(created);
    expect(out.metadata.creationTimestamp).not.toBe(created);
  });
});
