import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { z } from 'zod';
import { answerOffline } from '../../src/agents/runs/offline.ts';
import { kubeTools } from '../../src/agents/tool-use/kube-tools.ts';
import { type ExecuteDeps, executeProposal } from '../../src/approvals/execute-proposal.ts';
import { MemoryProposals, type ProposalStore } from '../../src/approvals/proposal-store.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import { diagnose } from '../../src/commands/diagnose.ts';
import type { GitOpsSettings } from '../../src/config/index.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { argocdFindings } from '../../src/tools/argocd/findings.ts';
import { proposeAppRollback, proposeSync } from '../../src/tools/argocd/propose.ts';
import {
  argocdApplications,
  argocdDiff,
  argocdHistory,
  argocdStatus,
} from '../../src/tools/argocd/read-tools.ts';
import { type GitRepository, openRepository } from '../../src/tools/git/repository.ts';
import type { KubeContext } from '../../src/tools/kubernetes/context.ts';
import { runTool, type Tool } from '../../src/tools/tool.ts';
import { approvedAction, executeDeps } from '../support/approved-change.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import type { Any } from '../support/simulated-cluster.ts';

/**
 * The argocd-operator against the sandbox's simulated Argo CD: applications compared with the
 * sandbox's own Git repository, drift and self-heal, syncs and rollbacks through the
 * Application's `operation` field (proposed, approved, run once), a refused sync, and the read
 * tools' and analyzers' view of all of it. Last, the diff of an application whose source is the
 * forge's https URL of the configured GitOps repository, read from the worker's clone.
 */
const FORGE_REPO = 'https://git.example.test/platform/gitops';
const sandbox = useSandbox(
  ['argocd-out-of-sync', 'gitops-self-heal', 'gitops-sync-failed', 'gitops-degraded'],
  { gitopsAliases: [FORGE_REPO] },
);
const prefix = testPrefix();
let redis: Redis;
let deps: ExecuteDeps;
let store: ProposalStore;
const posted: { jobId: string; data: OutboxJob }[] = [];

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  deps = executeDeps(redis, prefix, sandbox.kubeconfig, posted);
  deps = { ...deps, verifyTimeoutMs: 10_000 };
  store = deps.proposals;
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

async function text(tool: Tool<z.ZodType, KubeContext>, input: unknown): Promise<string> {
  const result = await runTool(tool, { cluster: sandbox.cluster }, input);
  if (!result.ok) throw new Error(`${tool.name} failed: ${result.error}`);
  return result.text;
}

const app = async (name: string): Promise<Any> =>
  sandbox.cluster.json('GET', `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${name}`);

const deployment = (namespace: string, name: string) =>
  sandbox.cluster.apps.readNamespacedDeployment({ namespace, name });

const CART = (image: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: cart, labels: { app: cart } }
spec:
  replicas: 3
  selector: { matchLabels: { app: cart${extra} } }
  template:
    metadata: { labels: { app: cart${extra} } }
    spec:
      containers:
        - name: cart
          image: ${image}
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 50m, memory: 128Mi } }
---
apiVersion: v1
kind: Service
metadata: { name: cart }
spec:
  selector: { app: cart }
  ports: [{ port: 80, targetPort: 8080 }]
`;

/** Shown in web:ops and approved there, as the actions worker finds it. */
function approve(action: Parameters<typeof approvedAction>[1], call: string) {
  return approvedAction(store, action, 'run-argocd', call);
}

describe('the sandbox as Argo CD leaves it', () => {
  it('lists the applications with their sync, health, revision and conditions', async () => {
    const output = await text(argocdApplications, {});

    const rows = Object.fromEntries(
      output
        .split('\n')
        .slice(1)
        .map((l) => {
          const [name, , sync, health, revision, conditions] = l.split(/\s+/);
          return [name, { sync, health, revision, conditions }];
        }),
    );
    expect(rows.storefront).toMatchObject({
      sync: 'OutOfSync',
      health: 'Healthy',
      conditions: '-',
    });
    expect(rows.shop).toMatchObject({ sync: 'Synced', health: 'Healthy' });
    expect(rows.orders).toMatchObject({ sync: 'OutOfSync', conditions: 'SyncError' });
    expect(rows.search).toMatchObject({ sync: 'Synced', health: 'Degraded' });
    expect(rows.billing).toMatchObject({ sync: 'Synced', health: 'Healthy' });
    expect(rows.storefront?.revision).toMatch(/^[0-9a-f]{7}$/);
  });

  it('shows the drifted resource in the status and, field by field, in the diff', async () => {
    const status = await text(argocdStatus, { name: 'storefront' });
    const diff = await text(argocdDiff, { name: 'storefront', destination: 'storefront' });
    const elsewhere = await runTool(
      argocdDiff,
      { cluster: sandbox.cluster },
      { name: 'storefront', destination: 'billing' },
    );

    expect(status).toMatch(/apps\/Deployment\s+storefront\s+cart\s+OutOfSync\s+Healthy/);
    expect(status).toMatch(/Service\s+storefront\s+cart\s+Synced/);
    expect(status).toContain('Last operation: Succeeded sync to');
    expect(status).toContain('by admin');
    expect(diff).toContain('apps/Deployment storefront/cart: OutOfSync\n  spec.replicas: 2 → 3');
    expect(diff).toContain('Service storefront/cart: Synced');
    expect(elsewhere).toEqual({
      ok: false,
      error: 'application storefront deploys to namespace storefront, not billing',
    });
    expect(
      argocdDiff.scope(argocdDiff.input.parse({ name: 'storefront', destination: 'storefront' })),
    ).toEqual({
      namespaces: ['argocd', 'storefront'],
    });
  });

  it('finds the drift, the refused sync, the Degraded rollout and the self-heal fight', async () => {
    const findings = await argocdFindings(sandbox.cluster, 'argocd', ['*']);

    const by = (rule: string, name: string) =>
      findings.find((f) => f.rule === rule && f.object.name === name);
    expect(by('argocd-out-of-sync', 'storefront')?.evidence).toEqual(
      expect.arrayContaining([
        'apps/Deployment storefront/cart: differs from Git',
        expect.stringMatching(
          /^apps\/Deployment storefront\/cart: spec\.replicas set by kubectl-scale at /,
        ),
      ]),
    );
    expect(by('argocd-sync-failed', 'orders')?.evidence.join('\n')).toContain(
      'apps/Deployment orders/orders-api refused: Deployment.apps "orders-api" is invalid: spec.selector: Invalid value: field is immutable',
    );
    expect(by('argocd-degraded', 'search')?.evidence.join('\n')).toMatch(
      /Deployment "search-api" exceeded its progress deadline[\s\S]*of 2 pods: container api (waiting: CrashLoopBackOff|last terminated: Error)/,
    );
    expect(by('argocd-self-heal-fight', 'billing')?.evidence).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^self-heal attempts on revision [0-9a-f]{7}: [1-9]/),
        "apps/Deployment billing/invoicer put back to Git's state: deployment.apps/invoicer configured",
      ]),
    );
    expect(by('argocd-out-of-sync', 'shop')).toBeUndefined();
  });

  it("puts the applications deploying into a namespace in that namespace's diagnose", async () => {
    const storefront = await diagnose(sandbox.cluster, { namespace: 'storefront', visible: ['*'] });
    const search = await diagnose(sandbox.cluster, { namespace: 'search', visible: ['*'] });

    expect(storefront.findings.map((f) => `${f.rule} ${f.object.name}`)).toContain(
      'argocd-out-of-sync storefront',
    );
    expect(storefront.message.headline).toBe(storefront.findings[0]?.title);
    expect(storefront.message.text).toContain(
      '\n1 problem in namespace storefront of cluster sandbox: ',
    );
    expect(search.findings.map((f) => f.rule)).toEqual(
      expect.arrayContaining(['argocd-degraded', 'crash-loop']),
    );
  });
  it('answers a question about Argo CD without a model, from the same analyzers', async () => {
    const engine = {
      kube: { cluster: sandbox.cluster, namespaces: ['*'] },
      proposals: new MemoryProposals(),
      autonomy: DEFAULT_AUTONOMY,
      maxTier: 'confirm' as const,
      log: createLogger('silent'),
    };

    const { answer } = await answerOffline(
      engine,
      'run-offline',
      'why is the argocd app orders not synced?',
    );

    expect(answer).toContain('From argocd-operator:');
    expect(answer).toMatch(/orders\s+default\s+OutOfSync\s+Healthy\s+[0-9a-f]{7}\s+SyncError/);
    expect(answer).toContain('- Argo CD sync of application orders failed at revision');
  });
});

describe('changes in Git and by hand', () => {
  let before: Any;

  it('follows a commit: the automated application syncs to it, the manual one turns OutOfSync', async () => {
    before = await app('shop');
    const commit = sandbox.sandbox.gitops?.commit(
      {
        'apps/shop/catalog.yaml': stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'catalog', labels: { app: 'catalog' } },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: 'catalog' } },
            template: {
              metadata: { labels: { app: 'catalog' } },
              spec: {
                containers: [
                  { name: 'catalog', image: 'ghcr.io/example/storefront-catalog:2.0.1' },
                ],
              },
            },
          },
        }),
        'apps/storefront/cart.yaml': CART('ghcr.io/example/storefront-cart:1.5.0'),
      },
      'catalog: three replicas; cart 1.5.0',
    );

    const shop = await eventually(async () => {
      const a = await app('shop');
      return a.status.history.at(-1).revision === commit && a.status.sync.status === 'Synced'
        ? a
        : undefined;
    });
    expect(shop.status.history).toHaveLength(before.status.history.length + 1);
    expect((await deployment('storefront', 'catalog')).spec?.replicas).toBe(3);
    const storefront = await app('storefront');
    expect(storefront.status.sync).toMatchObject({ status: 'OutOfSync', revision: commit });
    expect((await deployment('storefront', 'cart')).spec?.template.spec?.containers[0]?.image).toBe(
      'ghcr.io/example/storefront-cart:1.4.0',
    );
  });

  it('puts back every manual change, counting the self-heals on the same revision', async () => {
    const revision = (await app('shop')).status.sync.revision;
    const scale = () =>
      sandbox.cluster.apps.patchNamespacedDeployment({
        namespace: 'billing',
        name: 'invoicer',
        body: [{ op: 'replace', path: '/spec/replicas', value: 4 }],
      });
    const replicas = async () => (await deployment('billing', 'invoicer')).spec?.replicas;

    // The first drift after a new commit syncs to that commit; the next one is a self-heal.
    await scale();
    await eventually(async () => {
      const a = await app('billing');
      const done = a.status.operationState.syncResult.revision === revision;
      return done && a.status.operationState.phase === 'Succeeded' && (await replicas()) === 2
        ? a
        : undefined;
    });
    await scale();
    const billing = await eventually(async () => {
      const a = await app('billing');
      const count = a.status.operationState?.operation?.sync?.selfHealAttemptsCount ?? 0;
      return count === 1 && a.status.operationState.phase === 'Succeeded' ? a : undefined;
    });

    expect(await replicas()).toBe(2);
    expect(billing.status.sync.status).toBe('Synced');
    expect(billing.status.operationState.operation.initiatedBy).toEqual({ automated: true });
  });
});

describe('sync and rollback as proposals', () => {
  it('proposes a sync through the agent tool, at the confirm tier, without running it', async () => {
    const [tool] = kubeTools(['argocd_sync'], {
      context: { cluster: sandbox.cluster, namespaces: ['*'] },
      runId: 'run-argocd-tool',
      agent: 'argocd-operator',
      proposals: new MemoryProposals(),
      autonomy: DEFAULT_AUTONOMY,
      maxTier: 'confirm',
    });
    sandbox.resetRequests();

    const result = await tool?.run({ id: 'call-sync' }, tool.input.parse({ name: 'storefront' }));

    expect(result?.isError).toBe(false);
    expect(result?.content).toMatch(
      /^Proposed, not done: sync Argo CD application argocd\/storefront to [0-9a-f]{7} \(main\)/,
    );
    expect(result?.content).toContain('confirm tier');
    expect(result?.content).toContain('operation.sync.revision: (unset) → ');
    expect(sandbox.requests.filter((r) => r.method === 'PATCH' && !r.dryRun)).toEqual([]);
  });

  it('syncs once after approval, and reports how the sync ended', async () => {
    const id = await approve(
      await proposeSync(sandbox.cluster, { namespace: 'argocd', name: 'storefront' }),
      'sync',
    );
    sandbox.resetRequests();

    const first = await executeProposal(id, deps);
    const second = await executeProposal(id, deps);

    expect(first.state).toBe('succeeded');
    expect(first.summary).toMatch(/Sync to [0-9a-f]{7} succeeded \(2 resources\)/);
    expect(second.state).toBe('succeeded');
    const writes = sandbox.requests.filter(
      (r) => r.method === 'PATCH' && !r.dryRun && r.path.endsWith('/applications/storefront'),
    );
    expect(writes).toHaveLength(1);
    const executed = (await new AuditLog(redis, prefix).latest(50)).filter(
      (e) => e.proposal === id && e.event === 'executed',
    );
    expect(executed).toHaveLength(1);
    expect(executed[0]?.outcome).toMatch(/Sync to [0-9a-f]{7} succeeded/);
    const storefront = await app('storefront');
    expect(storefront.status.sync.status).toBe('Synced');
    expect(storefront.status.history).toHaveLength(2);
    expect(storefront.status.history[1].initiatedBy).toEqual({ username: 'coxswain' });
    expect(storefront.operation).toBeUndefined();
    const cart = await deployment('storefront', 'cart');
    expect(cart.spec?.replicas).toBe(3);
    expect(cart.spec?.template.spec?.containers[0]?.image).toBe(
      'ghcr.io/example/storefront-cart:1.5.0',
    );
  });

  it('rolls back to a deployment from history, leaving the application OutOfSync with Git', async () => {
    const history = (await text(argocdHistory, { name: 'storefront' })).split('\n');
    expect(history[0]).toMatch(/^ID\s+DEPLOYED\s+REVISION\s+BY/);
    expect(history[1]).toMatch(/^1\s.*coxswain\s+matches Git now$/);

    const action = await proposeAppRollback(sandbox.cluster, {
      namespace: 'argocd',
      name: 'storefront',
      id: 0,
    });
    const result = await executeProposal(await approve(action, 'rollback'), deps);

    expect(action.summary).toMatch(
      /^roll back Argo CD application argocd\/storefront to deployment 0 \(revision [0-9a-f]{7}/,
    );
    expect(result.state).toBe('succeeded');
    const storefront = await app('storefront');
    expect(storefront.status.history).toHaveLength(3);
    expect(storefront.status.history[2].revision).toBe(storefront.status.history[0].revision);
    expect(storefront.status.sync.status).toBe('OutOfSync');
    const cart = await deployment('storefront', 'cart');
    expect(cart.spec?.template.spec?.containers[0]?.image).toBe(
      'ghcr.io/example/storefront-cart:1.4.0',
    );
  });

  it('refuses a rollback while automated sync is on', async () => {
    await expect(
      proposeAppRollback(sandbox.cluster, { namespace: 'argocd', name: 'shop' }),
    ).rejects.toThrow('rollback cannot be initiated when auto-sync is enabled (application shop)');
  });

  it('fails a sync the API server refuses, with a SyncError condition, and clears it once Git is fixed', async () => {
    sandbox.sandbox.gitops?.commit(
      { 'apps/storefront/cart.yaml': CART('ghcr.io/example/storefront-cart:1.5.0', ', tier: web') },
      'cart: label by tier',
    );
    const operation = { sync: {}, initiatedBy: { username: 'dana' } };
    await sandbox.cluster.write(
      'PATCH',
      '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/storefront',
      {
        body: { operation },
        contentType: 'application/merge-patch+json',
      },
    );

    const failed = await eventually(async () => {
      const a = await app('storefront');
      return a.status.operationState.phase === 'Failed' ? a : undefined;
    });
    expect(failed.status.operationState.message).toContain(
      'spec.selector: Invalid value: field is immutable',
    );
    expect(failed.status.conditions.map((c: Any) => c.type)).toEqual(['SyncError']);
    expect(failed.operation).toBeUndefined();

    sandbox.sandbox.gitops?.commit(
      { 'apps/storefront/cart.yaml': CART('ghcr.io/example/storefront-cart:1.5.0') },
      'cart: back to one label',
    );
    const action = await proposeSync(sandbox.cluster, { namespace: 'argocd', name: 'storefront' });
    const result = await executeProposal(await approve(action, 'sync-fixed'), deps);

    expect(result.state).toBe('succeeded');
    const fixed = await app('storefront');
    expect(fixed.status.conditions ?? []).toEqual([]);
    expect(fixed.status.sync.status).toBe('Synced');
  });
});

describe('the diff from the configured GitOps repository', () => {
  // The config names the forge's URL in its own spelling; git reaches the forge through the
  // sandbox's repository (git's `insteadOf` in the worker's HOME), as a mirror would.
  const CONFIGURED = 'https://GIT.example.test/platform/gitops.git/';
  const TOKEN = 'ghp_gitopsToken0123456789';
  let root: string;
  let settings: GitOpsSettings;
  let repo: GitRepository;

  const patchApp = (body: unknown) =>
    sandbox.cluster.write(
      'PATCH',
      '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/storefront',
      { body, contentType: 'application/merge-patch+json' },
    );

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'coxswain-argodiff-'));
    await writeFile(
      join(root, '.gitconfig'),
      `[url "${sandbox.sandbox.gitops?.url}"]\n\tinsteadOf = ${CONFIGURED}\n`,
    );
    settings = {
      repo: CONFIGURED,
      branch: 'main',
      path: 'apps',
      workDir: join(root, 'clone'),
      forge: { type: 'github', url: 'https://api.example.test', token: TOKEN },
      env: { PATH: process.env.PATH ?? '', HOME: root },
    };
    repo = openRepository(settings);
    await patchApp({ spec: { source: { repoURL: FORGE_REPO } } });
    await eventually(async () => {
      const a = await app('storefront');
      const compared = (a.status.conditions ?? []).every((c: Any) => c.type !== 'ComparisonError');
      return a.spec.source.repoURL === FORGE_REPO && compared && a.status.sync.revision
        ? a
        : undefined;
    });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const diffTool = (git: GitRepository | undefined) => {
    const [tool] = kubeTools(['argocd_diff'], {
      context: { cluster: sandbox.cluster, namespaces: ['*'] },
      git,
      runId: 'run-argocd-diff',
      agent: 'argocd-operator',
      proposals: new MemoryProposals(),
      autonomy: DEFAULT_AUTONOMY,
      maxTier: 'confirm',
    });
    if (tool === undefined) throw new Error('no argocd_diff tool');
    return (input: unknown) => tool.run({ id: 'call-diff' }, tool.input.parse(input));
  };

  it('reads Git from the clone when the repoURL is the configured repository', async () => {
    await sandbox.cluster.apps.patchNamespacedDeployment({
      namespace: 'storefront',
      name: 'cart',
      body: [{ op: 'replace', path: '/spec/replicas', value: 1 }],
    });
    const revision = (await app('storefront')).status.sync.revision as string;

    const result = await diffTool(repo)({ name: 'storefront', destination: 'storefront' });

    expect(result.isError).toBe(false);
    expect(result.content).toContain(
      `Diff of application storefront: live → Git at ${revision.slice(0, 7)} (apps/storefront)`,
    );
    expect(result.content).toContain(
      'apps/Deployment storefront/cart: OutOfSync\n  spec.replicas: 1 → 3',
    );
    expect(result.content).toContain('Service storefront/cart: Synced');
    expect(existsSync(join(settings.workDir, '.git'))).toBe(true);
  });

  it('fetches a commit made after the clone, and diffs at it', async () => {
    const commit = sandbox.sandbox.gitops?.commit(
      {
        'apps/storefront/settings.yaml': stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'cart-settings' },
          data: { currency: 'EUR' },
        }),
      },
      'cart: settings',
    );
    await eventually(async () =>
      (await app('storefront')).status.sync.revision === commit ? true : undefined,
    );

    const result = await diffTool(repo)({ name: 'storefront', destination: 'storefront' });

    expect(result.isError).toBe(false);
    expect(result.content).toContain(`live → Git at ${commit?.slice(0, 7)} (apps/storefront)`);
    expect(result.content).toContain(
      'ConfigMap storefront/cart-settings: OutOfSync (missing: Git declares it, the cluster lacks it)',
    );
  });

  it('says what it reads when the repository is neither configured nor local', async () => {
    const result = await diffTool(undefined)({ name: 'storefront', destination: 'storefront' });

    expect(result).toEqual({
      isError: true,
      content: `argocd_diff reads the Application's source from the configured gitops repository (none is configured) or a local path; storefront's source is ${FORGE_REPO}`,
    });
  });

  it('refuses a source Argo CD renders, naming it, without reading Git', async () => {
    await patchApp({ spec: { source: { kustomize: { namePrefix: 'blue-' } } } });

    const result = await diffTool(repo)({ name: 'storefront', destination: 'storefront' });

    expect(result).toEqual({
      isError: true,
      content:
        "argocd_diff covers plain manifest directories only: application storefront's source is rendered by Kustomize (spec.source.kustomize), whose manifests Argo CD renders",
    });
  });
});
