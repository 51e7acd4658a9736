import type { KubeAction } from './action.ts';

/**
 * Which objects each action writes, and how: the kinds the proposing code accepts (the tools'
 * inputs and `propose.ts` read them from here) and the API call `writeTarget` then makes for them,
 * a PATCH or a DELETE of the object itself (never a subresource: a scale patches
 * `spec.replicas`). The server's dry run of a change is the same call with `dryRun=All`, so it
 * needs the same permission. `coxswain rbac` grants the write identity exactly these.
 */

/** The kinds a scale reaches. */
export const SCALABLE = ['Deployment', 'StatefulSet'] as const;

/**
 * The kinds a generic patch may touch: namespaced workload and configuration objects. Nodes
 * (a patch there is a cordon or a drain, which the policy forbids), cluster-scoped objects (no
 * namespace binding could cover them), Secrets and RBAC are out of reach by construction.
 */
export const PATCHABLE: Readonly<Record<string, { apiVersion: string; builtIn: boolean }>> = {
  Deployment: { apiVersion: 'apps/v1', builtIn: true },
  StatefulSet: { apiVersion: 'apps/v1', builtIn: true },
  DaemonSet: { apiVersion: 'apps/v1', builtIn: true },
  Pod: { apiVersion: 'v1', builtIn: true },
  Service: { apiVersion: 'v1', builtIn: true },
  ConfigMap: { apiVersion: 'v1', builtIn: true },
  HorizontalPodAutoscaler: { apiVersion: 'autoscaling/v2', builtIn: true },
  CronJob: { apiVersion: 'batch/v1', builtIn: true },
  Ingress: { apiVersion: 'networking.k8s.io/v1', builtIn: true },
  Application: { apiVersion: 'argoproj.io/v1alpha1', builtIn: false },
};

/** Kinds the generic delete reaches: the patchable ones and Jobs (the policy decides which may go). */
export const DELETABLE: Readonly<Record<string, { apiVersion: string }>> = {
  ...PATCHABLE,
  Job: { apiVersion: 'batch/v1' },
};

/** One write an action may make: the policy's verb and the kind (its tier), and the API call. */
export type ApiWrite = {
  action: KubeAction['type'];
  /** What the autonomy policy calls it, with `kind`: `scale`, `delete pod`. */
  verb: string;
  kind: string;
  apiVersion: string;
  method: 'patch' | 'delete';
};

const APPS = 'apps/v1';
const ARGO = 'argoproj.io/v1alpha1';

/** Every write any action makes, whatever the policy allows of it. */
export const API_WRITES: readonly ApiWrite[] = [
  ...SCALABLE.map((kind) => write('scale', 'scale', kind, APPS, 'patch')),
  write('rollout-restart', 'rollout', 'Deployment', APPS, 'patch'),
  write('rollback', 'rollout', 'Deployment', APPS, 'patch'),
  write('set-resources', 'patch', 'Deployment', APPS, 'patch'),
  write('delete-pod', 'delete', 'Pod', 'v1', 'delete'),
  // A generic delete of a Pod is a delete-pod: the same write.
  ...Object.entries(DELETABLE)
    .filter(([kind]) => kind !== 'Pod')
    .map(([kind, { apiVersion }]) => write('delete', 'delete', kind, apiVersion, 'delete')),
  ...Object.entries(PATCHABLE).map(([kind, { apiVersion }]) =>
    write('patch', 'patch', kind, apiVersion, 'patch'),
  ),
  write('argocd-sync', 'sync', 'Application', ARGO, 'patch'),
  write('argocd-rollback', 'sync', 'Application', ARGO, 'patch'),
];

function write(
  action: KubeAction['type'],
  verb: string,
  kind: string,
  apiVersion: string,
  method: ApiWrite['method'],
): ApiWrite {
  return { action, verb, kind, apiVersion, method };
}
