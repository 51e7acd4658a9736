import type { KubernetesObject, V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { CoxswainError } from '../../../errors.ts';
import type { Cluster } from '../cluster.ts';
import { wrapKubernetesError } from '../errors.ts';
import { readRollout, revisionOf } from '../read/rollout.ts';
import type { Change, FieldChange, KubeAction } from './action.ts';
import { DELETABLE, PATCHABLE, type SCALABLE } from './api-writes.ts';
import { dryRun, refuseUnfit } from './dry-run.ts';
import { type Ref, readTarget } from './target-api.ts';

/**
 * The write actions. Each reads its target, builds the exact change, and asks the API server for
 * a dry run of it, so a proposal carries the server's own view of the result. Nothing here
 * changes a cluster: `executeAction` does, after the policy (and a person) allowed it.
 */
type Workload = { namespace: string; name: string };

export async function proposeScale(
  cluster: Cluster,
  input: Workload & { kind?: (typeof SCALABLE)[number]; replicas: number },
): Promise<KubeAction> {
  const kind = input.kind ?? 'Deployment';
  const ref: Ref = { apiVersion: 'apps/v1', kind, name: input.name, namespace: input.namespace };
  await refuseIfAutoscaled(cluster, ref);
  const current = await readTarget(cluster, ref);
  const from = (current as V1Deployment).spec?.replicas ?? 1;
  if (from === input.replicas)
    throw new CoxswainError(
      'kubernetes_api',
      `${kind.toLowerCase()} ${input.name} already has ${from} replicas`,
    );
  return build(
    cluster,
    ref,
    current,
    'scale',
    'scale',
    { method: 'patch', patchType: 'merge', body: { spec: { replicas: input.replicas } } },
    `scale ${kind.toLowerCase()} ${input.namespace}/${input.name} from ${from} to ${input.replicas} replicas`,
  );
}

export async function proposeRestart(cluster: Cluster, input: Workload): Promise<KubeAction> {
  const ref: Ref = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: input.name,
    namespace: input.namespace,
  };
  const current = await readTarget(cluster, ref);
  const body = {
    spec: {
      template: {
        metadata: {
          annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() },
        },
      },
    },
  };
  return build(
    cluster,
    ref,
    current,
    'rollout-restart',
    'rollout',
    { method: 'patch', patchType: 'strategic', body },
    `restart deployment ${input.namespace}/${input.name} (a rolling replacement of its pods)`,
  );
}

export async function proposeSetResources(
  cluster: Cluster,
  input: Workload & {
    container: string;
    limits?: Record<string, string>;
    requests?: Record<string, string>;
  },
): Promise<KubeAction> {
  const ref: Ref = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: input.name,
    namespace: input.namespace,
  };
  const current = (await readTarget(cluster, ref)) as V1Deployment;
  const container = current.spec?.template.spec?.containers.find((c) => c.name === input.container);
  if (container === undefined) {
    const names = current.spec?.template.spec?.containers.map((c) => c.name).join(', ');
    throw new CoxswainError(
      'kubernetes_api',
      `deployment ${input.name} has no container "${input.container}" (it has: ${names})`,
    );
  }
  if (input.limits === undefined && input.requests === undefined)
    throw new CoxswainError('kubernetes_api', 'give limits, requests or both');
  const resources = {
    ...(input.limits ? { limits: input.limits } : {}),
    ...(input.requests ? { requests: input.requests } : {}),
  };
  const body = {
    spec: { template: { spec: { containers: [{ name: input.container, resources }] } } },
  };
  const describe = (
    values: Record<string, string> | undefined,
    old: Record<string, string> | undefined,
    what: string,
  ) => Object.entries(values ?? {}).map(([k, v]) => `${k} ${what} ${old?.[k] ?? 'none'} → ${v}`);
  const changes = [
    ...describe(input.limits, container.resources?.limits, 'limit'),
    ...describe(input.requests, container.resources?.requests, 'request'),
  ];
  return build(
    cluster,
    ref,
    current,
    'set-resources',
    'patch',
    { method: 'patch', patchType: 'strategic', body },
    `set ${changes.join(', ')} for container ${input.container} of deployment ${input.namespace}/${input.name}`,
  );
}

export async function proposeDeletePod(cluster: Cluster, input: Workload): Promise<KubeAction> {
  const ref: Ref = { apiVersion: 'v1', kind: 'Pod', name: input.name, namespace: input.namespace };
  const current = (await readTarget(cluster, ref)) as V1Pod;
  const owner = current.metadata?.ownerReferences?.find((o) => o.controller);
  const replaced = owner
    ? `; ${owner.kind} ${owner.name} will create a replacement`
    : '; nothing will replace it (a bare pod)';
  return build(
    cluster,
    ref,
    current,
    'delete-pod',
    'delete',
    { method: 'delete' },
    `delete pod ${input.namespace}/${input.name}${replaced}`,
  );
}

export async function proposeRollback(
  cluster: Cluster,
  input: Workload & { toRevision?: number },
): Promise<KubeAction> {
  const { deployment, replicaSets } = await readRollout(cluster, input.namespace, input.name);
  const current = revisionOf(deployment);
  const candidates = replicaSets.filter((rs) => revisionOf(rs) !== current);
  const target =
    input.toRevision === undefined
      ? candidates.find((rs) => revisionOf(rs) < current)
      : replicaSets.find((rs) => revisionOf(rs) === input.toRevision);
  if (target === undefined) {
    const known = replicaSets.map(revisionOf).join(', ');
    throw new CoxswainError(
      'kubernetes_api',
      input.toRevision === undefined
        ? `deployment ${input.name} has no earlier revision to roll back to (revisions: ${known})`
        : `deployment ${input.name} has no revision ${input.toRevision} (revisions: ${known})`,
    );
  }
  if (revisionOf(target) === current)
    throw new CoxswainError(
      'kubernetes_api',
      `deployment ${input.name} is already at revision ${current}`,
    );
  const ref: Ref = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: input.name,
    namespace: input.namespace,
  };
  // Read whole, so the old template comes back with every field it had.
  const [live, old] = await Promise.all([
    readTarget(cluster, ref),
    readTarget(cluster, { ...ref, kind: 'ReplicaSet', name: target.metadata?.name ?? '' }),
  ]);
  const template = structuredClone((old as V1ReplicaSet).spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  const images = (template.spec?.containers ?? []).map((c) => c.image).join(', ');
  const body = [{ op: 'replace', path: '/spec/template', value: template }];
  return build(
    cluster,
    ref,
    live,
    'rollback',
    'rollout',
    { method: 'patch', patchType: 'json', body },
    `roll back deployment ${input.namespace}/${input.name} from revision ${current} to revision ${revisionOf(target)} (${images})`,
  );
}

/**
 * A delete of any namespaced workload or configuration object. Which kinds may really be deleted
 * is the autonomy policy's to say: by default only pods (`delete pod` confirm, `delete *`
 * forbidden), so this mostly produces refusals, each with its reason.
 */
export async function proposeDelete(
  cluster: Cluster,
  input: Workload & { kind: string },
): Promise<KubeAction> {
  if (input.kind === 'Pod') return proposeDeletePod(cluster, input);
  const ref = refIn(DELETABLE, 'delete', input);
  const current = await readTarget(cluster, ref);
  return build(
    cluster,
    ref,
    current,
    'delete',
    'delete',
    { method: 'delete' },
    `delete ${input.kind.toLowerCase()} ${input.namespace}/${input.name}`,
  );
}

export async function proposePatch(
  cluster: Cluster,
  input: {
    kind: string;
    namespace: string;
    name: string;
    patchType: 'strategic' | 'merge' | 'json';
    patch: unknown;
  },
): Promise<KubeAction> {
  const ref = refIn(PATCHABLE, 'patch', input);
  // The API server has no strategic merge for custom resources (it answers 415).
  if (PATCHABLE[input.kind]?.builtIn === false && input.patchType === 'strategic') {
    throw new CoxswainError(
      'kubernetes_api',
      `${input.kind} is a custom resource: use a merge patch`,
    );
  }
  if (touchesStatus(input.patchType, input.patch))
    throw new CoxswainError(
      'forbidden_change',
      `${input.kind} ${input.namespace}/${input.name}: status is what the cluster's controllers report; a fix never writes it`,
    );
  const current = await readTarget(cluster, ref);
  return build(
    cluster,
    ref,
    current,
    'patch',
    'patch',
    { method: 'patch', patchType: input.patchType, body: input.patch },
    `patch ${input.kind.toLowerCase()} ${input.namespace}/${input.name}`,
  );
}

/** Whether a patch body writes `status` (which the card's list of changes never shows). */
function touchesStatus(patchType: 'strategic' | 'merge' | 'json', patch: unknown): boolean {
  if (patchType === 'json')
    return (
      Array.isArray(patch) &&
      patch.some((op) => {
        const path = (op as { path?: unknown; from?: unknown })?.path;
        const from = (op as { from?: unknown })?.from;
        return [path, from].some((p) => typeof p === 'string' && /^\/status(\/|$)/.test(p));
      })
    );
  return patch !== null && typeof patch === 'object' && Object.hasOwn(patch, 'status');
}

/** The target of a generic patch or delete, refused with the kinds there are when it is none of them. */
function refIn(
  kinds: Record<string, { apiVersion: string }>,
  verb: 'patch' | 'delete',
  input: Workload & { kind: string },
): Ref {
  const kind = kinds[input.kind];
  if (kind === undefined) {
    throw new CoxswainError(
      'kubernetes_api',
      `Coxswain does not ${verb} ${input.kind} objects; it ${verb}s ${Object.keys(kinds).join(', ')}`,
    );
  }
  return {
    apiVersion: kind.apiVersion,
    kind: input.kind,
    name: input.name,
    namespace: input.namespace,
  };
}

export async function build(
  cluster: Cluster,
  ref: Ref,
  current: KubernetesObject,
  type: KubeAction['type'],
  verb: string,
  change: Change,
  summary: string,
): Promise<KubeAction> {
  const uid = current.metadata?.uid;
  const resourceVersion = current.metadata?.resourceVersion;
  if (uid === undefined || resourceVersion === undefined)
    throw new CoxswainError(
      'kubernetes_api',
      `${ref.kind} ${ref.name} has no uid or resourceVersion`,
    );
  const view = await dryRun(cluster, ref, current, change);
  refuseUnfit(ref, view, change, type);
  return {
    type,
    verb,
    target: {
      cluster: cluster.name,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      name: ref.name,
      uid,
      resourceVersion,
    },
    change,
    summary: (type === 'patch' ? `${summary}: ${changedPaths(view.changes)}` : summary).slice(
      0,
      300,
    ),
    changes: view.changes,
    diff: view.diff,
    digest: view.digest,
  };
}

/** The headline of a generic patch names what it changes: as many paths as fit, then a count. */
function changedPaths(changes: readonly FieldChange[]): string {
  const paths = changes.map((c) => c.path);
  let out = '';
  for (const [i, path] of paths.entries()) {
    const rest = paths.length - i - 1;
    const more = rest > 0 ? ` and ${rest} more` : '';
    const next = out === '' ? path : `${out}, ${path}`;
    if (next.length + more.length > 200)
      return `${out === '' ? `${paths.length} fields` : out} and ${paths.length - i} more`;
    out = next;
  }
  return out;
}

/** Scaling what an autoscaler controls is undone by the autoscaler: refuse, and say so. */
export async function refuseIfAutoscaled(cluster: Cluster, ref: Ref): Promise<void> {
  const list = await cluster.autoscaling
    .listNamespacedHorizontalPodAutoscaler({ namespace: ref.namespace ?? '' })
    .catch((error: unknown) => {
      throw wrapKubernetesError(error, {
        verb: 'list',
        resource: 'horizontalpodautoscalers',
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
      });
    });
  const hpa = list.items.find(
    (h) => h.spec?.scaleTargetRef.kind === ref.kind && h.spec.scaleTargetRef.name === ref.name,
  );
  if (hpa === undefined) return;
  throw new CoxswainError(
    'kubernetes_api',
    `${ref.kind.toLowerCase()} ${ref.namespace}/${ref.name} is scaled by HorizontalPodAutoscaler ${hpa.metadata?.name} (min ${hpa.spec?.minReplicas ?? 1}, max ${hpa.spec?.maxReplicas}); change the autoscaler's bounds instead`,
  );
}
