import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeTools } from '../../src/agents/tool-use/kube-tools.ts';
import { MemoryProposals, type ProposalRecord } from '../../src/approvals/proposal-store.ts';
import { changesFitChat, chatCard } from '../../src/approvals/render-card.ts';
import { Autonomy, DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import type { KubeAction } from '../../src/tools/kubernetes/actions/action.ts';
import { alreadyApplied } from '../../src/tools/kubernetes/actions/after-approval.ts';
import { ForbiddenChangeError, NoChangeError } from '../../src/tools/kubernetes/actions/dry-run.ts';
import { executeAction } from '../../src/tools/kubernetes/actions/execute.ts';
import { proposePatch } from '../../src/tools/kubernetes/actions/propose.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * What a person approving sees is what the change does: every field it touches, secrets shown
 * only as changed, escalations refused at proposal and again before execution, and "no change"
 * and "already applied" judged on the objects themselves, never on the redacted diff.
 */
const sandbox = useSandbox(['healthy', 'argocd-out-of-sync']);

let made = 0;
/** A deployment of its own (not waited on: these tests read and dry-run, they do not roll out). */
async function deployment(): Promise<string> {
  const name = `vis-${++made}`;
  await sandbox.cluster.apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            initContainers: [
              {
                name: 'migrate',
                image: 'ghcr.io/example/migrate:1.0',
                env: [{ name: 'DB_URL', value: 'postgres://app:old-pw@db/app' }],
              },
            ],
            containers: [
              {
                name: 'api',
                image: 'ghcr.io/example/api:1.0',
                resources: { limits: { memory: '256Mi' } },
                env: [{ name: 'API_TOKEN', value: 'tok-old-secret' }],
              },
            ],
          },
        },
      },
    },
  });
  return name;
}

const HOSTILE = {
  spec: {
    template: {
      spec: {
        hostPID: true,
        serviceAccountName: 'cluster-admin',
        containers: [
          {
            name: 'api',
            resources: { limits: { memory: '512Mi' } },
            securityContext: { privileged: true },
          },
        ],
      },
    },
  },
};

describe('what a card shows', () => {
  it('lists every changed field of a patch, and its headline names them', async () => {
    const name = await deployment();
    const patch = {
      metadata: { labels: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`l${i}`, 'x'])) },
      spec: {
        template: {
          spec: { containers: [{ name: 'api', resources: { limits: { memory: '512Mi' } } }] },
        },
      },
    };

    const action = await proposePatch(sandbox.cluster, {
      kind: 'Deployment',
      namespace: 'default',
      name,
      patchType: 'strategic',
      patch,
    });

    expect(action.changes.map((c) => `${c.path}: ${c.from} → ${c.to}`)).toEqual([
      ...Array.from({ length: 8 }, (_, i) => `metadata.labels.l${i}: (unset) → x`),
      'spec.template.spec.containers[api].resources.limits.memory: 256Mi → 512Mi',
    ]);
    expect(action.summary).toMatch(/^patch deployment default\/vis-\d+: metadata\.labels\.l0, /);
    expect(action.summary).toMatch(/and \d+ more$/);
  });

  it('lists fields the client library has no model for, and judges them', async () => {
    const name = await deployment();
    // A field inside an object the server keeps open (as a newer server would know it): an
    // unknown field of the pod spec itself is dropped by the server, so never shows as a change.
    const patch = (extra: object) => ({
      metadata: { labels: { harmless: 'yes' } },
      spec: {
        template: {
          spec: {
            affinity: { futureAffinity: { zone: 'a' } },
            containers: [{ name: 'api', ...extra }],
          },
        },
      },
    });

    const action = await proposePatch(sandbox.cluster, {
      kind: 'Deployment',
      namespace: 'default',
      name,
      patchType: 'strategic',
      patch: patch({}),
    });
    const hidden = proposePatch(sandbox.cluster, {
      kind: 'Deployment',
      namespace: 'default',
      name,
      patchType: 'strategic',
      patch: patch({ securityContext: { futureUnconfined: true } }),
    });

    expect(action.changes.map((c) => c.path)).toEqual([
      'metadata.labels.harmless',
      'spec.template.spec.affinity.futureAffinity.zone',
    ]);
    await expect(hidden).rejects.toThrow(/securityContext\.futureUnconfined: security settings/);
  });

  it('shows an init container env change as changed, never its values, and it is no "no change"', async () => {
    const name = await deployment();
    const patch = {
      spec: {
        template: {
          spec: {
            initContainers: [
              { name: 'migrate', env: [{ name: 'DB_URL', value: 'postgres://app:new-pw@db/app' }] },
            ],
          },
        },
      },
    };

    const action = await proposePatch(sandbox.cluster, {
      kind: 'Deployment',
      namespace: 'default',
      name,
      patchType: 'strategic',
      patch,
    });

    expect(action.changes).toEqual([
      {
        path: 'spec.template.spec.initContainers[migrate].env[DB_URL].value',
        from: '[redacted]',
        to: '[redacted; changed]',
      },
    ]);
    expect(action.diff).toContain('[redacted; changed]');
    // What people and the model read: the change itself (executed as approved) stays in the record.
    const shown = JSON.stringify([action.changes, action.diff, action.summary]);
    expect(shown).not.toMatch(/old-pw|new-pw|tok-old-secret/);
  });

  it('shows a ConfigMap value only as changed, and none of the other values', async () => {
    await sandbox.cluster.core.createNamespacedConfigMap({
      namespace: 'default',
      body: {
        metadata: { name: 'app-env' },
        data: { LOG_LEVEL: 'info', DB_PASSWORD: 'pw-9f8e7d', API_TOKEN: 'tk-1a2b3c' },
      },
    });

    const action = await proposePatch(sandbox.cluster, {
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'app-env',
      patchType: 'merge',
      patch: { data: { LOG_LEVEL: 'debug' } },
    });

    expect(action.changes).toEqual([
      { path: 'data.LOG_LEVEL', from: '[redacted]', to: '[redacted; changed]' },
    ]);
    expect(action.diff).toContain('DB_PASSWORD: "[redacted]"');
    const shown = JSON.stringify([action.changes, action.diff, action.summary]);
    expect(shown).not.toMatch(/pw-9f8e7d|tk-1a2b3c|debug/);
  });

  it('never proposes an empty change', async () => {
    const name = await deployment();

    const proposing = proposePatch(sandbox.cluster, {
      kind: 'Deployment',
      namespace: 'default',
      name,
      patchType: 'strategic',
      patch: {
        spec: {
          template: {
            spec: { containers: [{ name: 'api', resources: { limits: { memory: '256Mi' } } }] },
          },
        },
      },
    });

    await expect(proposing).rejects.toBeInstanceOf(NoChangeError);
  });

  it('is not "already applied" while only a hidden value would change, and is once it has', async () => {
    const name = await deployment();
    const action = await proposePatch(sandbox.cluster, {
      kind: 'Deployment',
      namespace: 'default',
      name,
      patchType: 'strategic',
      patch: {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'api', env: [{ name: 'API_TOKEN', value: 'tok-new-secret' }] }],
            },
          },
        },
      },
    });

    expect(await alreadyApplied(sandbox.cluster, action)).toBe(false);
    await executeAction(sandbox.cluster, action);
    expect(await alreadyApplied(sandbox.cluster, action)).toBe(true);
    const live = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'default',
      name,
    });
    expect(live.spec?.template.spec?.containers[0]?.env?.[0]?.value).toBe('tok-new-secret');
  });

  it('puts a change too long for chat on the dashboard only: no Approve on the chat card', async () => {
    await sandbox.cluster.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'many' }, data: {} },
    });
    const data = Object.fromEntries(
      Array.from({ length: 80 }, (_, i) => [`SETTING_NUMBER_${i}`, `v${i}`]),
    );
    const action = await proposePatch(sandbox.cluster, {
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'many',
      patchType: 'merge',
      patch: { data },
    });
    const record: ProposalRecord = {
      id: 'p-many-1',
      runId: 'r1',
      agent: 'k8s-diagnostician',
      action,
      state: 'pending',
      createdAt: new Date().toISOString(),
      transitions: [],
      decidedBy: undefined,
      decidedAt: undefined,
      decidedVia: [],
      result: undefined,
      supersededBy: undefined,
      applied: undefined,
      writing: undefined,
      origin: {
        channel: 'slack:C0OPS',
        requester: 'slack:U0ASK',
        cluster: 'sandbox',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    };

    const card = chatCard(record, 'confirm', 'https://coxswain.example.com');

    expect(action.changes).toHaveLength(80);
    expect(changesFitChat(action.changes)).toBe(false);
    expect(card.buttons).toEqual([]);
    expect(card.text).toContain('80 fields');
    expect(card.links).toEqual([
      {
        label: 'Review on the dashboard',
        url: 'https://coxswain.example.com/dashboard#proposal-p-many-1',
      },
    ]);
  });
});

describe('escalation', () => {
  it('refuses a patch that also makes the pods privileged, with the reasons, and changes nothing', async () => {
    const name = await deployment();

    const proposing = proposePatch(sandbox.cluster, {
      kind: 'Deployment',
      namespace: 'default',
      name,
      patchType: 'strategic',
      patch: HOSTILE,
    });

    const error = await proposing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenChangeError);
    expect((error as ForbiddenChangeError).reasons).toEqual([
      'spec.template.spec.containers[api].securityContext.privileged: security settings are changed by people, never by a proposal',
      "spec.template.spec.hostPID: shares the node's namespaces",
      "spec.template.spec.serviceAccountName: changes the pods' service account (their identity)",
    ]);
    const live = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'default',
      name,
    });
    expect(live.spec?.template.spec?.hostPID).toBeUndefined();
  });

  it('refuses again before execution, whatever the stored proposal says', async () => {
    const name = await deployment();
    const live = (await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'default',
      name,
    })) as V1Deployment;
    // A proposal record that claims a harmless change but carries a hostile one.
    const forged: KubeAction = {
      type: 'set-resources',
      verb: 'patch',
      target: {
        cluster: 'sandbox',
        namespace: 'default',
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name,
        uid: live.metadata?.uid ?? '',
        resourceVersion: live.metadata?.resourceVersion ?? '',
      },
      change: { method: 'patch', patchType: 'strategic', body: HOSTILE },
      summary: `set memory limit 256Mi → 512Mi for container api of deployment default/${name}`,
      changes: [
        {
          path: 'spec.template.spec.containers[api].resources.limits.memory',
          from: '256Mi',
          to: '512Mi',
        },
      ],
      diff: '',
      digest: '0'.repeat(64),
    };

    await expect(executeAction(sandbox.cluster, forged)).rejects.toBeInstanceOf(
      ForbiddenChangeError,
    );
    const after = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'default',
      name,
    });
    // The controllers may write its status meanwhile; its spec is as it was.
    expect(after.metadata?.generation).toBe(live.metadata?.generation);
    expect(after.spec).toEqual(live.spec);
  });

  it('refuses a change to an Argo CD application destination whatever the tier', async () => {
    const apps = await sandbox.cluster.objects.list('argoproj.io/v1alpha1', 'Application');
    const app = apps.items[0];
    if (app?.metadata?.name === undefined)
      return expect.fail('the healthy scenario has an Application');

    const proposing = proposePatch(sandbox.cluster, {
      kind: 'Application',
      namespace: app.metadata.namespace ?? 'argocd',
      name: app.metadata.name,
      patchType: 'merge',
      patch: { spec: { destination: { namespace: 'kube-system' } } },
    });

    await expect(proposing).rejects.toThrow(/spec\.destination\.namespace: an Argo CD application/);
  });
});

describe('the default forbidden list, through the real tools', () => {
  const tools = (autonomy?: Autonomy) =>
    kubeTools(['delete', 'delete_pod', 'patch'], {
      context: { cluster: sandbox.cluster, namespaces: ['*'] },
      runId: 'run-forbidden',
      agent: 'k8s-diagnostician',
      proposals: new MemoryProposals(),
      autonomy: autonomy ?? DEFAULT_AUTONOMY,
      maxTier: 'confirm',
    });
  const call = (list: ReturnType<typeof tools>, name: string, input: unknown, id: string) => {
    const tool = list.find((t) => t.name === name);
    if (tool === undefined) throw new Error(`no tool ${name}`);
    return tool.run({ id }, tool.input.parse(input));
  };

  it('refuses deleting a Deployment, a ConfigMap or a Service', async () => {
    const list = tools();
    for (const [i, kind, name] of [
      [1, 'Deployment', 'frontend'],
      [2, 'ConfigMap', 'cart-config'],
      [3, 'Service', 'frontend'],
    ] as const) {
      const result = await call(list, 'delete', { namespace: 'shop', kind, name }, `call-${i}`);

      expect(result.isError).toBe(true);
      expect(result.content).toContain('forbidden by the autonomy policy');
    }
  });

  it('proposes deleting a pod, unless the config forbids that too', async () => {
    const pods = await sandbox.cluster.core.listNamespacedPod({ namespace: 'shop' });
    const pod = pods.items[0]?.metadata?.name ?? '';

    const allowed = await call(tools(), 'delete_pod', { namespace: 'shop', name: pod }, 'call-4');
    const refused = await call(
      tools(Autonomy.parse({ forbidden: ['delete pod'] })),
      'delete_pod',
      { namespace: 'shop', name: pod },
      'call-5',
    );

    expect(allowed.isError).toBe(false);
    expect(allowed.content).toContain('Proposed, not done');
    expect(refused.isError).toBe(true);
    expect(refused.content).toContain('forbidden by the autonomy policy');
  });

  it('tells the model why an escalating patch cannot be proposed', async () => {
    const name = await deployment();

    const result = await call(
      tools(),
      'patch',
      { namespace: 'default', kind: 'Deployment', name, patchType: 'strategic', patch: HOSTILE },
      'call-6',
    );

    expect(result.isError).toBe(true);
    expect(result.content).toContain('forbidden whatever the tier');
    expect(result.content).toContain('securityContext.privileged');
  });
});
