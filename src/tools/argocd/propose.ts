import { randomBytes } from 'node:crypto';
import { CoxswainError } from '../../errors.ts';
import type { KubeAction } from '../kubernetes/actions/action.ts';
import { OPERATION_MARKER as MARKER } from '../kubernetes/actions/argo-operation.ts';
import { build } from '../kubernetes/actions/propose.ts';
import { type Ref, readTarget } from '../kubernetes/actions/target-api.ts';
import type { Cluster } from '../kubernetes/cluster.ts';
import { Application, type Operation, short } from './application.ts';

/**
 * Sync and rollback, as the `argocd` CLI starts them: a merge patch that sets the Application's
 * `operation` (a sync, to a revision; a rollback is a sync to a revision from its history, with
 * that deployment's source), which Argo CD's controller then runs and clears. Each carries a
 * marker in `operation.info`, so that whether it ran, and how it ended, is known afterwards.
 */
const INITIATOR = 'coxswain';

type Target = { namespace: string; name: string };

export async function proposeSync(
  cluster: Cluster,
  input: Target & { revision?: string; prune?: boolean },
): Promise<KubeAction> {
  const { ref, current, app } = await readApp(cluster, input);
  const revision = input.revision ?? app.status.sync?.revision ?? app.spec.source?.targetRevision;
  const operation: Operation = {
    sync: { ...(revision === undefined ? {} : { revision }), prune: input.prune === true },
    initiatedBy: { username: INITIATOR },
    info: [{ name: MARKER, value: marker() }],
  };
  const target = app.spec.source?.targetRevision ?? 'HEAD';
  // A revision asked for by name is said as such: a branch other than the target is not "main".
  const to =
    revision === undefined
      ? target
      : input.revision !== undefined && input.revision !== target
        ? `${short(revision)}, which is not its target revision ${target}`
        : `${short(revision)} (${target})`;
  return build(
    cluster,
    ref,
    current,
    'argocd-sync',
    'sync',
    { method: 'patch', patchType: 'merge', body: { operation } },
    `sync Argo CD application ${input.namespace}/${input.name} to ${to}${input.prune ? ', pruning what Git no longer declares' : ''}`,
  );
}

export async function proposeAppRollback(
  cluster: Cluster,
  input: Target & { id?: number; prune?: boolean },
): Promise<KubeAction> {
  const { ref, current, app } = await readApp(cluster, input);
  // Argo CD refuses it too: the automated sync would put Git's revision straight back.
  if (app.spec.syncPolicy?.automated)
    throw new CoxswainError(
      'kubernetes_api',
      `rollback cannot be initiated when auto-sync is enabled (application ${input.name}); revert the change in Git instead`,
    );
  const history = app.status.history ?? [];
  const entry = input.id === undefined ? history.at(-2) : history.find((h) => h.id === input.id);
  if (entry?.revision === undefined) {
    const ids = history.map((h) => h.id).join(', ') || 'none';
    throw new CoxswainError(
      'kubernetes_api',
      input.id === undefined
        ? `application ${input.name} has no earlier deployment to roll back to (history ids: ${ids})`
        : `application ${input.name} does not have deployment with id ${input.id} (history ids: ${ids})`,
    );
  }
  // The deployment's source is the application's own, at another revision; a history entry
  // naming another repository, path or chart (history is writable by whoever may edit the
  // Application) would deploy from elsewhere, which no fix may do.
  const own = app.spec.source;
  if (
    entry.source !== undefined &&
    (entry.source.repoURL !== own?.repoURL ||
      (entry.source.path ?? '') !== (own?.path ?? '') ||
      (entry.source.chart ?? '') !== (own?.chart ?? ''))
  )
    throw new CoxswainError(
      'forbidden_change',
      `deployment ${entry.id} of application ${input.name} came from another source (${entry.source.repoURL ?? '?'} ${entry.source.path ?? entry.source.chart ?? ''}) than the application's own; roll back in Git instead`,
    );
  const operation: Operation = {
    sync: {
      revision: entry.revision,
      prune: input.prune === true,
      ...(entry.source === undefined ? {} : { source: entry.source }),
    },
    initiatedBy: { username: INITIATOR },
    info: [
      { name: 'Reason', value: `rollback to history id ${entry.id}` },
      { name: MARKER, value: marker() },
    ],
  };
  return build(
    cluster,
    ref,
    current,
    'argocd-rollback',
    'sync',
    { method: 'patch', patchType: 'merge', body: { operation } },
    `roll back Argo CD application ${input.namespace}/${input.name} to deployment ${entry.id} (revision ${short(entry.revision)}, deployed ${entry.deployedAt ?? 'at an unknown time'})`,
  );
}

async function readApp(cluster: Cluster, input: Target) {
  const ref: Ref = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    name: input.name,
    namespace: input.namespace,
  };
  const current = await readTarget(cluster, ref);
  const parsed = Application.safeParse(current);
  if (!parsed.success)
    throw new CoxswainError(
      'kubernetes_api',
      `application ${input.name} could not be read as an Argo CD application`,
    );
  const app = parsed.data;
  if (app.metadata.deletionTimestamp !== undefined)
    throw new CoxswainError('kubernetes_api', `application ${input.name} is being deleted`);
  if (app.operation !== undefined || app.status.operationState?.phase === 'Running')
    throw new CoxswainError(
      'kubernetes_api',
      `another operation is already in progress on application ${input.name}`,
    );
  return { ref, current, app };
}

function marker(): string {
  return randomBytes(6).toString('hex');
}
