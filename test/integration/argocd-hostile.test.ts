import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubeTools } from '../../src/agents/tool-use/kube-tools.ts';
import { type ExecuteDeps, executeProposal } from '../../src/approvals/execute-proposal.ts';
import { MemoryProposals, type ProposalStore } from '../../src/approvals/proposal-store.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { proposeAppRollback, proposeSync } from '../../src/tools/argocd/propose.ts';
import { argocdDiff } from '../../src/tools/argocd/read-tools.ts';
import { proposePatch } from '../../src/tools/kubernetes/actions/propose.ts';
import { runTool } from '../../src/tools/tool.ts';
import { approvedAction, executeDeps } from '../support/approved-change.ts';
import { createApplication } from '../support/git-repo.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import type { Any } from '../support/simulated-cluster.ts';

/**
 * Attacks on the Argo CD operator: which namespace authorises a sync, what a rollback may deploy
 * from, what a generic patch of an Application hides, whether a Secret reaches the model through
 * the diff, exactly-once after the controller moved on, and a hostile Application against the
 * sandbox's controller.
 */
const sandbox = useSandbox([
  'argocd-out-of-sync',
  'gitops-self-heal',
  'gitops-sync-failed',
  'gitops-degraded',
]);
const prefix = testPrefix();
let redis: Redis;
let deps: ExecuteDeps;
let store: ProposalStore;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  deps = executeDeps(redis, prefix, sandbox.kubeconfig, []);
  deps = { ...deps, verifyTimeoutMs: 10_000 };
  store = deps.proposals;
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

const APPS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';
const app = async (name: string): Promise<Any> => sandbox.cluster.json('GET', `${APPS}/${name}`);
const mergePatch = (name: string, body: unknown) =>
  sandbox.cluster.write('PATCH', `${APPS}/${name}`, {
    body,
    contentType: 'application/merge-patch+json',
  });

/** Shown in web:ops and approved there, as the actions worker finds it. */
function approve(action: Parameters<typeof approvedAction>[1], call: string) {
  return approvedAction(store, action, 'run-hostile', call);
}

const settled = (name: string) =>
  eventually(async () => {
    const a = await app(name);
    return a.operation === undefined && a.status.operationState?.phase !== 'Running'
      ? a
      : undefined;
  });

describe('which namespace authorises an Argo CD write', () => {
  it('refuses a sync of an application deploying outside the channel’s namespaces', async () => {
    // The channel may touch argocd only; storefront deploys into namespace storefront.
    const tools = kubeTools(['argocd_sync', 'argocd_rollback'], {
      context: { cluster: sandbox.cluster, namespaces: ['argocd'] },
      runId: 'run-scope',
      agent: 'argocd-operator',
      proposals: new MemoryProposals(),
      autonomy: DEFAULT_AUTONOMY,
      maxTier: 'confirm',
    });
    const sync = tools.find((t) => t.name === 'argocd_sync');
    expect((await app('storefront')).spec.destination.namespace).toBe('storefront');

    const result = await sync?.run({ id: 'call-scope' }, sync.input.parse({ name: 'storefront' }));

    expect(result?.content).not.toMatch(/^Proposed/);
    expect(result?.isError).toBe(true);
  });
});

describe('what a rollback may deploy', () => {
  it("refuses a rollback whose history entry names another source than the application's", async () => {
    const before = await app('storefront');
    const own = before.status.history.at(-1);
    // Anyone who may update Applications writes their status too (the CRD has no status
    // subresource): a history entry that deploys billing's folder into storefront.
    await mergePatch('storefront', {
      status: {
        history: [
          ...before.status.history,
          {
            id: 77,
            revision: own.revision,
            deployedAt: own.deployedAt,
            source: { ...before.spec.source, path: 'apps/billing' },
          },
        ],
      },
    });

    const proposing = proposeAppRollback(sandbox.cluster, {
      namespace: 'argocd',
      name: 'storefront',
      id: 77,
    });

    await expect(proposing).rejects.toThrow(/source/);
  });
});

describe('what a generic patch of an Application shows', () => {
  it('refuses a patch that writes status, which the card would not show', async () => {
    await settled('storefront');
    const current = await app('storefront');
    const forged = current.status.sync.revision.replace(/^./, (c: string) =>
      c === 'a' ? 'b' : 'a',
    );

    const refused = proposePatch(sandbox.cluster, {
      kind: 'Application',
      namespace: 'argocd',
      name: 'storefront',
      patchType: 'merge',
      patch: {
        metadata: { labels: { team: 'web' } },
        status: { sync: { revision: forged }, history: [] },
      },
    });

    // The card and the policy would see only the label; status.history would be wiped unseen.
    await expect(refused).rejects.toThrow(
      "Application argocd/storefront: status is what the cluster's controllers report; a fix never writes it",
    );
  });
});

describe('what the diff reads', () => {
  it('never reads a Secret, whatever case Git spells its kind in, nor outside the destination', async () => {
    await sandbox.cluster.core.createNamespacedSecret({
      namespace: 'billing',
      body: {
        metadata: { name: 'payments-db' },
        data: { config: Buffer.from('hunter2-payments-prod').toString('base64') },
      },
    });
    const commit = sandbox.sandbox.gitops?.commit(
      {
        'apps/storefront/zz-peek.yaml': stringify({
          apiVersion: 'v1',
          kind: 'secret',
          metadata: { name: 'payments-db', namespace: 'billing' },
          data: { config: 'AAAA' },
        }),
      },
      'storefront: one more manifest',
    );
    await eventually(async () => {
      const a = await app('storefront');
      return a.status.sync?.revision === commit ? a : undefined;
    });

    const result = await runTool(
      argocdDiff,
      { cluster: sandbox.cluster },
      { name: 'storefront', destination: 'storefront' },
    );

    const text = result.ok ? result.text : result.error;
    expect(text).not.toContain(Buffer.from('hunter2-payments-prod').toString('base64'));
    expect(text).not.toContain('billing/payments-db');
    sandbox.sandbox.gitops?.commit({ 'apps/storefront/zz-peek.yaml': null }, 'drop it');
  });
});

describe('exactly once', () => {
  it('does not sync again when a taken-over execution finds a later operation in the status', async () => {
    await settled('storefront');
    const action = await proposeSync(sandbox.cluster, { namespace: 'argocd', name: 'storefront' });
    const id = await approve(action, 'once');
    // The worker moved it to executing, marked the write as sent, wrote the operation, and
    // stopped before recording its answer.
    await store.transition(id, ['approved'], 'executing', 'worker', {});
    await store.markWriting(id, new Date());
    await mergePatch('storefront', (action.change as { body: unknown }).body);
    await settled('storefront');
    // Someone syncs afterwards: the last operation is now theirs.
    await mergePatch('storefront', { operation: { sync: {}, initiatedBy: { username: 'dana' } } });
    const after = await settled('storefront');
    const runs = after.status.history.length;
    sandbox.resetRequests();

    await executeProposal(id, deps);

    const writes = sandbox.requests.filter(
      (r) => r.method === 'PATCH' && !r.dryRun && r.path.endsWith('/applications/storefront'),
    );
    expect(writes).toHaveLength(0);
    expect((await settled('storefront')).status.history).toHaveLength(runs);
    expect((await store.record(id))?.result).toMatchObject({
      summary: 'outcome unknown',
      error: expect.stringContaining('sending it again could run it twice'),
    });
  });
});

describe('the sandbox’s controller against a hostile Application', () => {
  it('keeps reconciling the other applications when one names a path outside the repository', async () => {
    const repoURL = (await app('storefront')).spec.source.repoURL;
    await createApplication(sandbox.cluster, 'aaa-hostile', {
      source: { repoURL, path: '../../../etc', targetRevision: 'main' },
      namespace: 'storefront',
    });
    await settled('storefront');

    await mergePatch('storefront', { operation: { sync: {}, initiatedBy: { username: 'dana' } } });

    const done = await eventually(
      async () => {
        const a = await app('storefront');
        return a.operation === undefined ? a : undefined;
      },
      15_000,
      'the sync of storefront to be taken up',
    );
    expect(done.status.operationState.operation.initiatedBy).toEqual({ username: 'dana' });
    const hostile = await app('aaa-hostile');
    expect(hostile.status?.conditions?.[0]?.type).toBe('ComparisonError');
  });
});
