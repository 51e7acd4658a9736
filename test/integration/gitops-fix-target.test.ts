import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitOpsSettings } from '../../src/config/index.ts';
import { openRepository } from '../../src/tools/git/repository.ts';
import { argoManagerOf } from '../../src/tools/gitops/argo-managed.ts';
import { preferGit } from '../../src/tools/gitops/prefer-git.ts';
import { proposeScale } from '../../src/tools/kubernetes/actions/propose.ts';
import { type ForgeApi, startForgeApi } from '../support/forge-api.ts';
import { createApplication, seedBareRepository } from '../support/git-repo.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * Which manifest a GitOps fix changes. The repository holds two applications' manifests that both
 * declare a Deployment payments-api and leave the namespace to Argo CD's destination: billing's
 * (deployed to namespace billing) and payments'. A fix to payments/payments-api must change
 * payments' file, the one its Application deploys, never billing's while authorised as payments.
 */
const sandbox = useSandbox(['oom-crashloop']);
const manifest = (replicas: number, who: string) => `# ${who}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
spec:
  replicas: ${replicas}
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/example/payments-api:1.8.2
`;

let root: string;
let forge: ForgeApi;
let settings: GitOpsSettings;

async function mark(body: Record<string, unknown>) {
  await sandbox.cluster.write(
    'PATCH',
    '/apis/apps/v1/namespaces/payments/deployments/payments-api',
    {
      body: { metadata: body },
      contentType: 'application/merge-patch+json',
    },
  );
}

/** payments-api scaled to `replicas`, as proposed before Git is preferred. */
function scaleTo(replicas: number) {
  return proposeScale(sandbox.cluster, { namespace: 'payments', name: 'payments-api', replicas });
}

/** The fix offered for scaling payments-api to `replicas`, with the configured GitOps repository. */
async function scaleFix(replicas: number, key: string) {
  return preferGit(sandbox.cluster, await scaleTo(replicas), openRepository(settings), key);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'coxswain-hostile-gitops-'));
  const bare = join(root, 'gitops.git');
  const seed = join(root, 'seed');
  await seedBareRepository(
    bare,
    seed,
    {
      'apps/billing/deployment.yaml': manifest(9, 'billing'),
      'apps/payments/deployment.yaml': manifest(2, 'payments'),
    },
    'two apps',
  );
  forge = await startForgeApi({ type: 'github', token: 'tok-1', branchExists: async () => true });
  settings = {
    repo: bare,
    branch: 'main',
    path: 'apps',
    workDir: join(root, 'clone'),
    forge: { type: 'github', url: forge.url, token: 'tok-1' },
    env: { PATH: process.env.PATH ?? '', HOME: root },
  };
  await sandbox.cluster.json('GET', '/api/v1/namespaces/argocd').catch(async () => {
    await sandbox.cluster.core.createNamespace({ body: { metadata: { name: 'argocd' } } });
  });
  for (const [app, ns] of [
    ['billing', 'billing'],
    ['payments', 'payments'],
  ] as const)
    await createApplication(sandbox.cluster, app, {
      source: { repoURL: bare, path: `apps/${app}`, targetRevision: 'main' },
      namespace: ns,
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
});

afterAll(async () => {
  await forge?.close();
  await rm(root, { recursive: true, force: true });
});

describe('the manifest a GitOps fix changes', () => {
  it("is never a file in a subfolder of the Application's path, which Argo CD does not deploy unless told to recurse", async () => {
    // Anyone who may create an Application: one at the repository's root, deploying to payments.
    // Argo CD applies only the files at the root of a directory source (`directory.recurse` is
    // off), so neither apps/billing's nor apps/payments' manifest is this application's.
    await createApplication(sandbox.cluster, 'root', {
      source: { repoURL: settings.repo, path: '.' },
      namespace: 'payments',
    });
    await mark({ labels: { 'app.kubernetes.io/instance': 'root' } });
    const fix = await scaleFix(6, 'k-root');

    expect(fix).toMatchObject({ type: 'scale' });
    expect(fix.note).toMatch(/No manifest under the root of the GitOps repository/);
    await mark({ labels: { 'app.kubernetes.io/instance': null } });
  });

  it("names an Application's other repository on the card without the credentials in its URL", async () => {
    const token = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
    await createApplication(sandbox.cluster, 'mirror', {
      source: { repoURL: `https://${token}@github.com/acme/mirror.git`, path: 'apps/payments' },
      namespace: 'payments',
    });
    await mark({ labels: { 'app.kubernetes.io/instance': 'mirror' } });
    const fix = await scaleFix(4, 'k-mirror');

    expect(fix).toMatchObject({ type: 'scale' });
    expect(fix.note).toContain('github.com/acme/mirror.git, not the configured GitOps repository');
    expect(fix.note).not.toContain(token);
    await mark({ labels: { 'app.kubernetes.io/instance': null } });
  });

  it("is the one the object's Application deploys, not another app's declaring the same name", async () => {
    await mark({ labels: { 'app.kubernetes.io/instance': 'payments' } });
    const fix = await scaleFix(3, 'k-two-apps');

    // Authorised as namespace payments; the pull request must not change billing's deployment.
    expect(fix).toMatchObject({ type: 'git-change', target: { namespace: 'payments' } });
    expect((fix as { path?: string }).path).toBe('apps/payments/deployment.yaml');
    await mark({ labels: { 'app.kubernetes.io/instance': null } });
  });

  it('is found by the tracking annotation alone when it names an existing Application, in either form', async () => {
    const scale = await scaleTo(5);

    // Argo CD's annotation tracking: `<app>:…`, or `<app namespace>_<app>:…` for an Application
    // outside Argo CD's own namespace. No tracking label is set.
    for (const [i, app] of ['payments', 'argocd_payments'].entries()) {
      await mark({
        annotations: {
          'argocd.argoproj.io/tracking-id': `${app}:apps/Deployment:payments/payments-api`,
        },
      });
      const live = await sandbox.cluster.apps.readNamespacedDeployment({
        namespace: 'payments',
        name: 'payments-api',
      });

      const manager = await argoManagerOf(sandbox.cluster, live);
      const fix = await preferGit(
        sandbox.cluster,
        scale,
        openRepository(settings),
        `k-annotated-${i}`,
      );

      expect(live.metadata?.labels?.['app.kubernetes.io/instance']).toBeUndefined();
      expect(manager).toMatchObject({
        application: 'payments',
        namespace: 'argocd',
        by: 'annotation',
        selfHeal: true,
      });
      expect(fix).toMatchObject({
        type: 'git-change',
        path: 'apps/payments/deployment.yaml',
        target: { namespace: 'payments', kind: 'Deployment', name: 'payments-api' },
      });
      expect(fix.note).toMatch(
        /^Argo CD application payments manages deployment payments\/payments-api/,
      );
    }
    await mark({ annotations: { 'argocd.argoproj.io/tracking-id': null } });
  });

  it("is not chosen by a tracking annotation naming no Application (anyone who may edit the object's annotations)", async () => {
    await mark({ annotations: { 'argocd.argoproj.io/tracking-id': 'ghost:apps/Deployment:x/y' } });
    const fix = await scaleFix(4, 'k-ghost');

    // No Application named ghost exists: the object is not Argo CD's, so the fix stays a patch.
    expect(fix.type).toBe('scale');
    await mark({ annotations: { 'argocd.argoproj.io/tracking-id': null } });
  });
});
