import type { V1Pod } from '@kubernetes/client-node';
import { inScope } from '../../policy/command-scope.ts';
import { type Application, listApplications } from '../argocd/application.ts';
import { analyzeApplications } from './analyzers/argocd.ts';
import { analyze, type Finding, redactFinding, type Snapshot } from './analyzers/index.ts';
import { deploymentOf } from './analyzers/pods.ts';
import type { Cluster } from './cluster.ts';
import { rankFindings } from './rank-findings.ts';
import { readSnapshot } from './snapshot.ts';

/**
 * One read of a namespace (or of the cluster) and every analyzer on it, Argo CD's included: the
 * findings the asker may see, about the target when there is one, in the order an answer tells
 * them (its root cause first). What `diagnose`, the answer without a model and a specialist's
 * first turn all rest on.
 */
export type ProblemTarget = { kind: 'Pod' | 'Deployment' | 'Node'; name: string };

export type Problems = { snapshot: Snapshot; findings: Finding[] };

export async function findProblems(
  cluster: Cluster,
  request: {
    namespace?: string | undefined;
    target?: ProblemTarget | undefined;
    /** Namespace globs the asker may see; findings elsewhere are left out. */
    visible: readonly string[];
    /** When the cluster is read, for what is late; now unless a recorded cluster says. */
    now?: Date | undefined;
  },
): Promise<Problems> {
  const snapshot = await readSnapshot(cluster, request.namespace);
  // A pod on its way out (a rollout replacing it) is history, not a problem to fix.
  const live = { ...snapshot, pods: snapshot.pods.filter((p) => !p.metadata?.deletionTimestamp) };
  const apps = await applicationsDeployingTo(cluster, request.namespace);
  const found = [
    ...analyze(live, request.now),
    ...analyzeApplications(apps, live).map(redactFinding),
  ].filter(
    (f) =>
      inScope(request.visible, f.object.namespace) &&
      (request.target === undefined
        ? relevant(f, request.namespace, snapshot)
        : concerns(f, request.target, snapshot)),
  );
  return { snapshot, findings: rankFindings(found, live, apps) };
}

/** In one namespace, a node matters only when the namespace's pods run on it. */
function relevant(finding: Finding, namespace: string | undefined, snapshot: Snapshot): boolean {
  if (namespace === undefined || finding.object.kind !== 'Node') return true;
  return snapshot.pods.some((p) => p.spec?.nodeName === finding.object.name);
}

/** Whether a finding is about the target: the object itself, or a pod it owns or runs. */
function concerns(finding: Finding, target: ProblemTarget, snapshot: Snapshot): boolean {
  const object = finding.object;
  if (object.kind === target.kind && object.name === target.name) return true;
  if (object.kind !== 'Pod' || target.kind === 'Pod') return false;
  const pod = snapshot.pods.find(
    (p) => p.metadata?.name === object.name && p.metadata?.namespace === object.namespace,
  );
  if (pod === undefined) return false;
  if (target.kind === 'Node') return pod.spec?.nodeName === target.name;
  return deploymentOf(pod as V1Pod, snapshot.replicaSets)?.name === target.name;
}

/**
 * The Argo CD applications deploying into the namespace (every one, without a namespace), for
 * the Argo CD analyzers: none when Argo CD is not installed or its applications cannot be read.
 */
async function applicationsDeployingTo(
  cluster: Cluster,
  namespace: string | undefined,
): Promise<Application[]> {
  const apps = await listApplications(cluster, undefined).catch(() => []);
  return namespace === undefined
    ? apps
    : apps.filter((app) => app.spec.destination?.namespace === namespace);
}

/**
 * What a read covered, as counts of each kind (none of a kind is worth saying too): an answer
 * that found nothing says what it looked at rather than calling the cluster healthy.
 */
export function whatWasChecked(snapshot: Snapshot): string {
  const counts: [number, string][] = [
    [snapshot.pods.length, 'pods'],
    [snapshot.deployments.length, 'deployments'],
    [snapshot.statefulSets.length, 'stateful sets'],
    [snapshot.daemonSets.length, 'daemon sets'],
    [snapshot.jobs.length, 'jobs'],
    [snapshot.cronJobs.length, 'cron jobs'],
    [snapshot.services.length, 'Services'],
    [snapshot.hpas.length, 'autoscalers'],
    [snapshot.pdbs.length, 'disruption budgets'],
    [snapshot.pvcs.length, 'volume claims'],
    [snapshot.nodes.length, 'nodes'],
    [snapshot.events.length, 'events'],
    [snapshot.logs.length, 'container logs'],
  ];
  return counts.map(([n, what]) => countOf(n, what)).join(', ');
}

/** `1 pod`, `2 pods`: a count with its plural word, in the singular for one. */
export function countOf(n: number, plural: string): string {
  return `${n} ${n === 1 ? plural.replace(/s$/, '') : plural}`;
}
