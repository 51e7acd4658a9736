import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
import { Autonomy, DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { openRepository } from '../../src/tools/git/repository.ts';
import { preferGit } from '../../src/tools/gitops/prefer-git.ts';
import { proposeScale, proposeSetResources } from '../../src/tools/kubernetes/actions/propose.ts';
import type { RunView } from '../../src/workflows/run-record.ts';
import { RedisRunStore } from '../../src/workflows/run-store.ts';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { writeApprovalConfig } from '../support/config-file.ts';
import { type ForgeApi, startForgeApi } from '../support/forge-api.ts';
import { createApplication, seedBareRepository } from '../support/git-repo.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { SseClient } from '../support/sse.ts';

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
let bare: string;
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
  bare = join(root, 'platform', 'gitops.git');
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
  await createApplication(sandbox.cluster, 'payments', {
    source: { repoURL: bare, path: 'apps/payments', targetRevision: 'main' },
    namespace: 'payments',
    syncPolicy: { automated: { prune: true, selfHeal: true } },
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

  it('is refused, not turned into a pull request, when the policy forbids the cluster change it stands for', async () => {
    await track('payments-api', { 'app.kubernetes.io/instance': 'payments' });
    const autonomy = Autonomy.parse({ forbidden: ['scale deployment', 'drain'] });
    const tools = kubeTools(['scale'], {
      context: { cluster: sandbox.cluster },
      git: openRepository(settings),
      runId: 'run-gitops-forbidden',
      agent: 'k8s-diagnostician',
      proposals: store,
      autonomy,
      maxTier: 'confirm',
    });

    const outcome = await tools[0]?.run(
      { id: 'toolu_f1' },
      { namespace: 'payments', name: 'payments-api', replicas: 5 },
    );

    expect(outcome?.isError).toBe(true);
    expect(outcome?.content).toContain('forbidden by the autonomy policy');
    expect(await store.record(proposalId('run-gitops-forbidden', 'toolu_f1'))).toBeUndefined();
  });

  it('is not offered by diagnose when the policy forbids the cluster change it stands for', async () => {
    await track('payments-api', { 'app.kubernetes.io/instance': 'payments' });

    const diagnosis = await diagnose(
      sandbox.cluster,
      { namespace: 'payments', visible: ['*'], git: openRepository(settings) },
      Autonomy.parse({ forbidden: ['patch deployment', 'drain'] }),
    );

    expect(diagnosis.actions).toEqual([]);
    expect(diagnosis.refused).toContainEqual({
      summary: expect.stringMatching(/memory/),
      reason: expect.stringContaining('forbidden by the autonomy policy'),
    });
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

/**
 * The shipped pod-crashloop workflow, the on-call path for KubePodCrashLooping, on the whole
 * product with the same repository as its `gitops` section: its raise-memory step proposes the
 * pull request too, and the approved change opens one pull request and leaves the cluster alone.
 */
describe("a workflow's change step on what Argo CD manages", () => {
  let app: TestApp;
  let appRedis: Redis;
  let stream: SseClient;

  beforeAll(async () => {
    app = await startGitOpsApp('clone-app', {
      routes: [{ match: {}, channels: ['web:ops'] }],
    });
    appRedis = new Redis(app.redisUrl);
    stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=ops`);
  }, 60_000);

  afterAll(async () => {
    await stream?.close();
    appRedis?.disconnect();
    await app?.stop();
  });

  it('proposes a pull request to the manifest, says why on its card, and opens one once approved', async () => {
    await track('payments-api', { 'app.kubernetes.io/instance': 'payments' });
    const pods = await sandbox.cluster.core.listNamespacedPod({ namespace: 'payments' });
    const pod = pods.items.find((p) => p.metadata?.name?.startsWith('payments-api-'));
    const pulls = forge.requests.filter((r) => r.path.endsWith('/pulls')).length;

    await postAlert(app.baseUrl, crashLooping(pod?.metadata?.name ?? 'payments-api-0'));
    const card = await stream
      .next((e) => {
        if (e.event !== 'message') return false;
        const m = (JSON.parse(e.data) as CardEntry).message;
        return m.buttons.some((b) => b.action === 'approve');
      }, 60_000)
      .then((e) => JSON.parse(e.data) as CardEntry);

    expect(card.message.headline).toMatch(
      /^Approve\? open a pull request changing apps\/payments\/deployment\.yaml on main: set memory limit 256Mi → 384Mi/,
    );
    expect(card.message.sections).toContainEqual(
      expect.objectContaining({
        title: 'GitOps',
        text: 'Argo CD application payments manages deployment payments/payments-api, with self-heal on, so a change made in the cluster is reverted at its next sync: the fix is proposed as a pull request to apps/payments/deployment.yaml, for Argo CD to deploy once it is merged.',
      }),
    );

    const clicked = await fetch(`${app.baseUrl}/api/channels/ops/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entry: card.id, button: 0, author: 'sre' }),
    });
    expect(clicked.status).toBe(202);
    const run = await finished();
    const step = run.steps['raise-memory'];
    const proposal = await new ProposalStore(appRedis, app.prefix).record(
      step?.state === 'succeeded' ? String(step.outputs.proposal) : 'none',
    );

    expect(run.state).toBe('succeeded');
    expect(run.steps['raise-memory']).toMatchObject({
      state: 'succeeded',
      outputs: { state: 'succeeded', approved_by: 'web:sre' },
    });
    expect(proposal?.action).toMatchObject({
      type: 'git-change',
      path: 'apps/payments/deployment.yaml',
    });
    expect(proposal?.result?.link?.url).toMatch(
      /^https:\/\/github\.example\/platform\/gitops\/pull\/\d+$/,
    );
    expect(forge.requests.filter((r) => r.path.endsWith('/pulls')).slice(pulls)).toEqual([
      expect.objectContaining({ path: '/repos/platform/gitops/pulls' }),
    ]);
    // The fix waits for the merge: nothing was patched in the cluster.
    const deployment = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'payments',
      name: 'payments-api',
    });
    expect(deployment.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe('256Mi');
    await track('payments-api', { 'app.kubernetes.io/instance': null });
  }, 120_000);

  type CardEntry = {
    id: string;
    message: {
      headline?: string;
      sections?: { title?: string; text?: string }[];
      buttons: { action: string }[];
    };
  };

  function finished(): Promise<RunView> {
    const runs = new RedisRunStore(appRedis, app.prefix);
    return eventually(
      async () =>
        (await runs.recent(10)).find(
          (v) =>
            v.run.workflow.name === 'pod-crashloop' &&
            v.state !== 'running' &&
            v.state !== 'waiting',
        ),
      90_000,
      'pod-crashloop to finish',
    );
  }
});

/**
 * A workflow that lets its pull requests open on their own (`auto_approve: [commit]`) but keeps
 * every scale for a person (`always_confirm: [scale]`): its scale of what Argo CD manages becomes
 * a pull request, and that pull request still waits for a person.
 */
describe("a workflow's always_confirm on a change that becomes a pull request", () => {
  let app: TestApp;
  let appRedis: Redis;

  beforeAll(async () => {
    const workflows = join(root, 'workflows-confirm');
    await mkdir(workflows, { recursive: true });
    await writeFile(
      join(workflows, 'scale-payments.yaml'),
      [
        'name: scale-payments',
        'description: Scale payments-api',
        'trigger:',
        '  manual: true',
        'autonomy:',
        '  auto_approve: [commit]',
        '  always_confirm: [scale]',
        'steps:',
        '  - name: scale',
        '    action: scale',
        '    inputs: { namespace: payments, name: payments-api, replicas: 4 }',
        '',
      ].join('\n'),
    );
    app = await startGitOpsApp('clone-confirm', {}, { WORKFLOWS_DIR: workflows });
    appRedis = new Redis(app.redisUrl);
  }, 60_000);

  afterAll(async () => {
    appRedis?.disconnect();
    await app?.stop();
  });

  it('leaves the pull request to a person', async () => {
    await track('payments-api', { 'app.kubernetes.io/instance': 'payments' });

    await fetch(`${app.baseUrl}/api/channels/ops/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'workflow scale-payments', author: 'dana' }),
    });
    const runs = new RedisRunStore(appRedis, app.prefix);
    const run = await eventually(
      async () =>
        (await runs.recent(10)).find(
          (v) =>
            v.run.workflow.name === 'scale-payments' &&
            ['waiting', 'succeeded', 'failed'].includes(v.steps.scale?.state ?? ''),
        ),
      60_000,
      'scale-payments to propose',
    );
    const proposal = await new ProposalStore(appRedis, app.prefix).record(
      proposalId(run.run.runId, 'step/scale'),
    );

    expect(proposal?.action).toMatchObject({ type: 'git-change', verb: 'commit' });
    expect(proposal?.state).toBe('pending');
    await track('payments-api', { 'app.kubernetes.io/instance': null });
  }, 90_000);
});

/**
 * The whole product with the GitOps repository as its `gitops` section (cloned into `workDir`
 * under root) and web:ops bound to the sandbox, web:sre approving; `config` and `env` add to it.
 */
function startGitOpsApp(
  workDir: string,
  config: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const path = writeApprovalConfig(
    {
      cluster: 'sandbox',
      kubeconfig: sandbox.kubeconfig,
      channel: 'web:ops',
      approvers: ['web:sre'],
    },
    {
      ...config,
      gitops: {
        repo: bare,
        branch: 'main',
        path: 'apps',
        workDir: join(root, workDir),
        forge: { type: 'github', url: forge.url, tokenEnv: 'GITOPS_TOKEN' },
      },
    },
  );
  return startTestApp(
    {
      COXSWAIN_CONFIG: path,
      ...env,
      GITOPS_TOKEN: 'tok-1',
      PATH: process.env.PATH ?? '',
      HOME: root,
    },
    'all',
    { trustLocalNames: true },
  );
}

/** Alertmanager's webhook for KubePodCrashLooping on a payments-api pod. */
function crashLooping(pod: string) {
  const labels = {
    alertname: 'KubePodCrashLooping',
    namespace: 'payments',
    pod,
    severity: 'critical',
  };
  const alert = {
    status: 'firing',
    labels,
    annotations: { summary: 'KubePodCrashLooping fired' },
    startsAt: new Date().toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example/graph',
    fingerprint: 'gitops0001',
  };
  return {
    receiver: 'coxswain',
    status: 'firing',
    alerts: [alert],
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: alert.annotations,
    externalURL: 'http://alertmanager.example',
    version: '4',
    groupKey: '{}:{alertname="KubePodCrashLooping",fingerprint="gitops0001"}',
    truncatedAlerts: 0,
  };
}
