import { describe, expect, it } from 'vitest';
import { escalations, holdsPower } from './escalation.ts';
import type { LeafChange, PathPart } from './field-path.ts';

const POD = [{ key: 'spec' }, { key: 'template' }, { key: 'spec' }] as const;
const API = [...POD, { key: 'containers' }, { item: 'api' }] as const;
const SC = [...API, { key: 'securityContext' }] as const;
const DEPLOYMENT = { kind: 'Deployment', name: 'api', namespace: 'payments' };

function leaf(parts: readonly PathPart[], before: unknown, after: unknown): LeafChange {
  return { parts, before, after };
}

const volume = (source: string) =>
  leaf([...POD, { key: 'volumes' }, { item: 'v' }, { key: source }, { key: 'x' }], undefined, 'y');

describe('escalations', () => {
  it.each([
    ['privileged', leaf([...SC, { key: 'privileged' }], undefined, true)],
    ['allowPrivilegeEscalation', leaf([...SC, { key: 'allowPrivilegeEscalation' }], false, true)],
    [
      'dropping allowPrivilegeEscalation: false',
      leaf([...SC, { key: 'allowPrivilegeEscalation' }], false, undefined),
    ],
    [
      'dropping capabilities.drop',
      leaf([...SC, { key: 'capabilities' }, { key: 'drop' }], ['ALL'], undefined),
    ],
    [
      'added capabilities',
      leaf([...SC, { key: 'capabilities' }, { key: 'add' }], ['CHOWN'], ['CHOWN', 'SYS_ADMIN']),
    ],
    ['runAsUser 0', leaf([...SC, { key: 'runAsUser' }], 1000, 0)],
    [
      'pod runAsUser 0',
      leaf([...POD, { key: 'securityContext' }, { key: 'runAsUser' }], undefined, 0),
    ],
    ['runAsNonRoot false', leaf([...SC, { key: 'runAsNonRoot' }], undefined, false)],
    [
      'seccomp Unconfined',
      leaf(
        [...POD, { key: 'securityContext' }, { key: 'seccompProfile' }, { key: 'type' }],
        'RuntimeDefault',
        'Unconfined',
      ),
    ],
    ['procMount', leaf([...SC, { key: 'procMount' }], undefined, 'Unmasked')],
    [
      'hostProcess',
      leaf([...SC, { key: 'windowsOptions' }, { key: 'hostProcess' }], undefined, true),
    ],
    [
      'sysctls',
      leaf([...POD, { key: 'securityContext' }, { key: 'sysctls' }], undefined, [
        { name: 'kernel.x', value: '1' },
      ]),
    ],
    ['hostPID', leaf([...POD, { key: 'hostPID' }], undefined, true)],
    ['hostNetwork', leaf([...POD, { key: 'hostNetwork' }], false, true)],
    ['hostIPC', leaf([...POD, { key: 'hostIPC' }], undefined, true)],
    ['hostUsers', leaf([...POD, { key: 'hostUsers' }], false, true)],
    ['shareProcessNamespace', leaf([...POD, { key: 'shareProcessNamespace' }], undefined, true)],
    [
      'hostPort',
      leaf([...API, { key: 'ports' }, { item: 'http' }, { key: 'hostPort' }], undefined, 80),
    ],
    ['hostPath', volume('hostPath')],
    ['a gitRepo volume', volume('gitRepo')],
    ['an nfs volume', volume('nfs')],
    ['a secret volume', volume('secret')],
    ['a projected volume', volume('projected')],
    [
      'envFrom a Secret',
      leaf(
        [...API, { key: 'envFrom' }, { item: '#0' }, { key: 'secretRef' }, { key: 'name' }],
        undefined,
        'x',
      ),
    ],
    [
      'env from a Secret',
      leaf(
        [
          ...API,
          { key: 'env' },
          { item: 'X' },
          { key: 'valueFrom' },
          { key: 'secretKeyRef' },
          { key: 'name' },
        ],
        undefined,
        'x',
      ),
    ],
    [
      'LD_PRELOAD',
      leaf([...API, { key: 'env' }, { item: 'LD_PRELOAD' }, { key: 'value' }], undefined, '/x.so'),
    ],
    [
      'HTTPS_PROXY',
      leaf([...API, { key: 'env' }, { item: 'HTTPS_PROXY' }, { key: 'value' }], 'a', 'b'),
    ],
    ['serviceAccountName', leaf([...POD, { key: 'serviceAccountName' }], 'api', 'admin')],
    ['serviceAccount', leaf([...POD, { key: 'serviceAccount' }], undefined, 'admin')],
    [
      'automountServiceAccountToken',
      leaf([...POD, { key: 'automountServiceAccountToken' }], false, true),
    ],
    ['nodeName', leaf([...POD, { key: 'nodeName' }], undefined, 'control-plane-1')],
    [
      'tolerations',
      leaf(
        [...POD, { key: 'tolerations' }, { item: '#0' }, { key: 'operator' }],
        undefined,
        'Exists',
      ),
    ],
    [
      'ownerReferences',
      leaf([{ key: 'metadata' }, { key: 'ownerReferences' }], undefined, [{ uid: 'x' }]),
    ],
    ['finalizers', leaf([{ key: 'metadata' }, { key: 'finalizers' }], ['a'], [])],
    ['revisionHistoryLimit', leaf([{ key: 'spec' }, { key: 'revisionHistoryLimit' }], 10, 0)],
    [
      'an apparmor annotation',
      leaf(
        [
          ...POD.slice(0, 2),
          { key: 'metadata' },
          { key: 'annotations' },
          { key: 'container.apparmor.security.beta.kubernetes.io/api' },
        ],
        undefined,
        'unconfined',
      ),
    ],
    [
      'a vault annotation',
      leaf(
        [
          { key: 'metadata' },
          { key: 'annotations' },
          { key: 'vault.hashicorp.com/agent-inject-secret-db' },
        ],
        undefined,
        'database/creds/admin',
      ),
    ],
    [
      'cronjob privileged',
      leaf(
        [
          { key: 'spec' },
          { key: 'jobTemplate' },
          { key: 'spec' },
          ...POD,
          { key: 'initContainers' },
          { item: 'init' },
          { key: 'securityContext' },
          { key: 'privileged' },
        ],
        undefined,
        true,
      ),
    ],
  ])('refuses %s, naming the field', (_name, change) => {
    const reasons = escalations(DEPLOYMENT, [change]);

    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^(spec|metadata)/);
  });

  it.each([
    [
      'a memory limit',
      leaf([...API, { key: 'resources' }, { key: 'limits' }, { key: 'memory' }], '256Mi', '512Mi'),
    ],
    ['an image', leaf([...API, { key: 'image' }], 'api:1', 'api:2')],
    ['replicas', leaf([{ key: 'spec' }, { key: 'replicas' }], 2, 3)],
    ['a configMap volume', volume('configMap')],
    [
      'an ordinary env value',
      leaf([...API, { key: 'env' }, { item: 'LOG_LEVEL' }, { key: 'value' }], 'info', 'debug'),
    ],
    [
      'an annotation named hostPath',
      leaf([{ key: 'metadata' }, { key: 'annotations' }, { key: 'hostPath' }], undefined, 'x'),
    ],
  ])('allows %s', (_name, change) => {
    expect(escalations(DEPLOYMENT, [change])).toEqual([]);
  });

  it.each(['Secret', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount'])(
    'refuses any change to a %s',
    (kind) => {
      const reasons = escalations({ kind, name: 'x', namespace: 'default' }, [
        leaf([{ key: 'metadata' }, { key: 'labels' }, { key: 'a' }], undefined, 'b'),
      ]);

      expect(reasons).toEqual([expect.stringMatching(new RegExp(`^${kind}: `))]);
    },
  );

  it.each([
    ['argocd-rbac-cm', 'argocd'],
    ['argocd-cm', 'argocd'],
    ['aws-auth', 'kube-system'],
    ['coredns', 'kube-system'],
  ])('refuses any change to ConfigMap %s, which grants access', (name, namespace) => {
    const change = leaf([{ key: 'data' }, { key: 'policy.default' }], undefined, 'role:admin');

    expect(escalations({ kind: 'ConfigMap', name, namespace }, [change])).toEqual([
      expect.stringContaining('decides who may do what'),
    ]);
  });

  it.each(['destination', 'source', 'sources', 'sourceHydrator', 'project'])(
    "refuses a change to an Argo CD application's %s",
    (field) => {
      const change = leaf([{ key: 'spec' }, { key: field }, { key: 'x' }], 'a', 'b');

      expect(
        escalations({ kind: 'Application', name: 'shop', namespace: 'argocd' }, [change]),
      ).toEqual([expect.stringContaining(`spec.${field}.x: `)]);
    },
  );

  it('refuses an Argo CD operation started by a patch', () => {
    const change = leaf(
      [{ key: 'operation' }, { key: 'sync' }, { key: 'revision' }],
      undefined,
      'attacker-branch',
    );

    expect(
      escalations({ kind: 'Application', name: 'shop', namespace: 'argocd' }, [change]),
    ).toHaveLength(1);
  });

  it('refuses Service traffic redirection', () => {
    const service = { kind: 'Service', name: 'api', namespace: 'payments' };

    expect(
      escalations(service, [
        leaf([{ key: 'spec' }, { key: 'externalIPs' }], undefined, ['1.2.3.4']),
      ]),
    ).toHaveLength(1);
    expect(
      escalations(service, [leaf([{ key: 'spec' }, { key: 'type' }], 'ClusterIP', 'ExternalName')]),
    ).toHaveLength(1);
  });

  it('freezes what runs in a pod that holds node-level power', () => {
    const after = {
      spec: { template: { spec: { hostPID: true, containers: [{ name: 'api' }] } } },
    };
    const image = leaf([...API, { key: 'image' }], 'api:1', 'evil:1');
    const added = leaf(
      [...POD, { key: 'containers' }, { item: 'sidecar' }, { key: 'image' }],
      undefined,
      'x',
    );
    const limits = leaf(
      [...API, { key: 'resources' }, { key: 'limits' }, { key: 'memory' }],
      '1Gi',
      '2Gi',
    );

    expect(escalations(DEPLOYMENT, [image], after)).toHaveLength(1);
    expect(escalations(DEPLOYMENT, [added], after)).toHaveLength(1);
    expect(escalations(DEPLOYMENT, [limits], after)).toEqual([]);
    expect(
      escalations(DEPLOYMENT, [image], { spec: { template: { spec: { containers: [] } } } }),
    ).toEqual([]);
  });

  it('knows a pod that holds power', () => {
    expect(holdsPower({ spec: { containers: [{ securityContext: { privileged: true } }] } })).toBe(
      true,
    );
    expect(holdsPower({ spec: { volumes: [{ name: 'root', hostPath: { path: '/' } }] } })).toBe(
      true,
    );
    expect(holdsPower({ spec: { hostNetwork: true } })).toBe(true);
    expect(holdsPower({ spec: { containers: [{ securityContext: { privileged: false } }] } })).toBe(
      false,
    );
  });
});

describe("an Argo CD application's operation", () => {
  const app = { kind: 'Application', name: 'shop', namespace: 'argocd' };
  const leaf = (parts: string[], after: unknown) => ({
    parts: parts.map((key) => ({ key })),
    before: undefined,
    after,
  });

  it('may be set by a sync or rollback proposal, and by nothing else', () => {
    const operation = leaf(['operation', 'sync', 'revision'], 'abc');

    expect(escalations(app, [operation], undefined, { argoOperation: true })).toEqual([]);
    expect(escalations(app, [operation])).toEqual([
      'operation.sync.revision: an Argo CD operation is started by a sync proposal, never by a patch',
    ]);
  });

  it('gives a sync proposal no way to change where the application deploys from or to', () => {
    const destination = leaf(['spec', 'destination', 'namespace'], 'kube-system');

    expect(escalations(app, [destination], undefined, { argoOperation: true })).toHaveLength(1);
  });
});
