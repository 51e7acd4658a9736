import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeTools } from '../../src/agents/tool-use/kube-tools.ts';
import {
  type ProposalRecord,
  ProposalStore,
  proposalId,
} from '../../src/approvals/proposal-store.ts';
import { renderCard } from '../../src/approvals/render-card.ts';
import { diagnose } from '../../src/commands/diagnose.ts';
import type { GitOpsSettings } from '../../src/config/index.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { openRepository } from '../../src/tools/git/repository.ts';
import { preferGit } from '../../src/tools/gitops/prefer-git.ts';
import { proposeScale, proposeSetResources } from '../../src/tools/kubernetes/actions/propose.ts';
import { type ForgeApi, startForgeApi } from '../support/forge-api.ts';
import { seedBareRepository } from '../support/git-repo.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * Fixes to what Argo CD manages, on the sandbox (oom-crashloop: payments-api OOMKilled at its
 * 256Mi limit) with the deployment tracked by an Application, and a GitOps repository in a local
 * bare repository: the fix becomes a pull request to the manifest, the card says why, and what
 * Argo CD does not manage is patched as before.
 */
const sandbox = useSandbox(['oom-crashloop']);
const prefix = testPrefix();
const MANIFEST = `# payments-api: deployed by Argo CD (application payments).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  namespace: payments
spec:
  replicas: 2 # two replicas for the night shift
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/example/payments-api:1.8.2
          resources:
            requests: { cpu: 250m, memory: 256Mi }
            limits: { memory: 256Mi }
`;

let root: string;
let forge: ForgeApi;
let settings: GitOpsSettings;
let redis: Redis;
let store: ProposalStore;

async function track(deployment: string, labels: Record<string, string | null>) {
  await sandbox.cluster.write(
    'PATCH',
    `/apis/apps/v1/namespaces/payments/deployments/${deployment}`,
    { body: { metadata: { labels } }, contentType: 'application/merge-patch+json' },
  );
}

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  store = new ProposalStore(redis, prefix);
  root = await mkdtemp(join(tmpdir(), 'coxswain-gitops-'));
  const bare = join(root, 'platform', 'gitops.git');
  const seed = join(root, 'seed');
  await seedBareRepository(bare, seed, { 'apps/payments/deployment.yaml': MANIFEST }, 'payments');
  forge = await startForgeApi({ type: 'github', token: 'tok-1', branchExists: async () => true });
  settings = {
    repo: bare,
    branch: 'main',
    path: 'apps',
    workDir: join(root, 'clone'),
    forge: { type: 'github', url: forge.url, token: 'tok-1' },
    env: { PATH: process.env.PATH ?? '', HOME: root },
  };
  // Argo CD's application for the payments namespace, with self-heal on.
  await sandbox.cluster.json('GET', '/api/v1/namespaces/argocd').catch(async () => {
    await sandbox.cluster.core.createNamespace({ body: { metadata: { name: 'argocd' } } });
  });
  await sandbox.cluster.custom.createNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespace: 'argocd',
    plural: 'applications',
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'payments', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: { repoURL: bare, path: 'apps/payments', targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'payments' },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    },
  });
});

afterAll(async () => {
  await dropPrefix(testRedisUrl(), prefix);
  redis?.disconnect();
  await forge?.close();
  await rm(root, { recursive: true, force: true });
});

describe('a fix to what Argo CD manages', () => {
  it('is patched in the cluster as before when Argo CD does not track the object', async () => {
    const action = await proposeScale(sandbox.cluster, {
      namespace: 'payments',
      name: 'payments-api',
      replicas: 3,
    });

    const fix = await preferGit(sandbox.cluster, action, openRepository(settings), 'k-unmanaged');

    expect(fix).toEqual(action);
  });

  it('becomes a pull request to the manifest, from diagnose and from the model alike, and the card says why', async () => {
    await track('payments-api', { 'app.kubernetes.io/instance': 'payments' });
    const repo = openRepository(settings);

    const diagnosis = await diagnose(
      sandbox.cluster,
      { namespace: 'payments', visible: ['*'], git: repo },
      DEFAULT_AUTONOMY,
    );
    const [fix] = diagnosis.actions;

    expect(fix?.action).toMatchObject({
      type: 'git-change',
      verb: 'commit',
      path: 'apps/payments/deployment.yaml',
      target: {
        cluster: 'sandbox',
        namespace: 'payments',
        kind: 'Deployment',
        name: 'payments-api',
      },
      note: 'Argo CD application payments manages deployment payments/payments-api, with self-heal on, so a change made in the cluster is reverted at its next sync: the fix is proposed as a pull request to apps/payments/deployment.yaml, for Argo CD to deploy once it is merged.',
    });
    const content = (fix?.action as { content?: string } | undefined)?.content ?? '';
    expect(content).toContain('# payments-api: deployed by Argo CD (application payments).');
    expect(content).toContain('replicas: 2 # two replicas for the night shift');
    expect(content).toMatch(/limits: \{ memory: \d+Mi \}/);
    expect(content).not.toContain('limits: { memory: 256Mi }');
    expect(fix?.action.diff).toMatch(/^- +memory: 256Mi$/m);
    expect(diagnosis.message.sections?.some((s) => s.title?.includes('open a pull request'))).toBe(
      true,
    );

    // The model's set_resources, with the same repository, proposes the same kind of change.
    const tools = kubeTools(['set_resources'], {
      context: { cluster: sandbox.cluster },
      git: repo,
      runId: 'run-gitops',
      agent: 'k8s-diagnostician',
      proposals: store,
      autonomy: DEFAULT_AUTONOMY,
      maxTier: 'confirm',
    });
    const outcome = await tools[0]?.run(
      { id: 'toolu_g1' },
      {
        namespace: 'payments',
        name: 'payments-api',
        container: 'api',
        limits: { memory: '640Mi' },
      },
    );
    const record = (await store.record(proposalId('run-gitops', 'toolu_g1'))) as ProposalRecord;
    const card = renderCard(record, 'confirm');

    expect(outcome?.content).toMatch(
      /^Proposed, not done: open a pull request changing apps\/payments\/deployment.yaml/,
    );
    expect(outcome?.content).toContain(
      'Argo CD application payments manages deployment payments/payments-api',
    );
    expect(record.action.type).toBe('git-change');
    expect(card.sections?.map((s) => s.title)).toEqual([
      'Changes (1 field)',
      'GitOps',
      'Risk',
      'Manifest diff (pull request to main)',
    ]);
    expect(card.sections?.[0]?.code).toContain('limits.memory: 256Mi → 640Mi');
  });

  it('stays a cluster change with a note when no repository is configured or the manifest cannot say it', async () => {
    const scale = await proposeScale(sandbox.cluster, {
      namespace: 'payments',
      name: 'payments-api',
      replicas: 3,
    });
    const memory = await proposeSetResources(sandbox.cluster, {
      namespace: 'payments',
      name: 'payments-api',
      container: 'api',
      limits: { memory: '768Mi' },
    });

    const noRepo = await preferGit(sandbox.cluster, memory, undefined, 'k-none');
    const elsewhere = await preferGit(
      sandbox.cluster,
      scale,
      openRepository({ ...settings, path: 'other', workDir: join(root, 'clone-other') }),
      'k-elsewhere',
    );

    expect(noRepo).toMatchObject({ type: 'set-resources', digest: memory.digest });
    expect(noRepo.note).toMatch(
      /self-heal on, so a change made in the cluster is reverted at its next sync\. No GitOps repository is configured/,
    );
    expect(elsewhere).toMatchObject({ type: 'scale' });
    expect(elsewhere.note).toMatch(
      /No manifest under apps\/payments of the GitOps repository \(the application.s path\) declares it/,
    );
    await track('payments-api', { 'app.kubernetes.io/instance': null });
  });
});
