import type { V1Pod } from '@kubernetes/client-node';
import type { Application } from '../argocd/application.ts';
import type { Finding, Snapshot } from './analyzers/index.ts';
import { deploymentOf } from './analyzers/pods.ts';

/**
 * The order an answer tells findings in: the one it leads with is the root cause, not a symptom
 * of it. Most severe first; among equals, a finding that knows its cause (certain, then likely)
 * before one that does not. And a rollout, Service, autoscaler or Argo CD finding about a
 * workload whose pod has a finding naming a cause is told after that pod's finding: "the rollout
 * failed" is what "the container is OOMKilled" looks like from the Deployment.
 */
const SEVERITY = { critical: 0, warning: 1, info: 2 } as const;
const CONFIDENCE = { certain: 0, likely: 1, unsure: 2 } as const;

export function rankFindings(
  findings: readonly Finding[],
  snapshot: Snapshot,
  apps: readonly Application[] = [],
): Finding[] {
  const ordered = findings
    .map((finding, i) => ({ finding, i }))
    .sort(
      (a, b) =>
        SEVERITY[a.finding.severity] - SEVERITY[b.finding.severity] ||
        CONFIDENCE[a.finding.confidence] - CONFIDENCE[b.finding.confidence] ||
        a.i - b.i,
    )
    .map(({ finding }) => finding);
  const told = new Set<Finding>();
  const out: Finding[] = [];
  for (const finding of ordered) {
    if (told.has(finding)) continue;
    if (finding.object.kind !== 'Pod') {
      const cause = ordered.find(
        (pod) =>
          !told.has(pod) &&
          pod.object.kind === 'Pod' &&
          pod.severity !== 'info' &&
          pod.confidence !== 'unsure' &&
          about(finding, pod, snapshot, apps),
      );
      if (cause !== undefined) {
        told.add(cause);
        out.push(cause);
      }
    }
    told.add(finding);
    out.push(finding);
  }
  return out;
}

/** Whether a workload-level finding is about the workload the pod of a pod finding belongs to. */
function about(
  workload: Finding,
  podFinding: Finding,
  snapshot: Snapshot,
  apps: readonly Application[],
): boolean {
  const namespace = podFinding.object.namespace;
  const pod = snapshot.pods.find(
    (p) => p.metadata?.name === podFinding.object.name && p.metadata?.namespace === namespace,
  );
  if (pod === undefined) return false;
  const { kind, name } = workload.object;
  if (kind === 'Application') {
    const app = apps.find((a) => a.metadata.name === name);
    return app?.spec.destination?.namespace === namespace;
  }
  if (workload.object.namespace !== namespace) return false;
  const named = (o: { metadata?: { name?: string; namespace?: string } }) =>
    o.metadata?.name === name && o.metadata?.namespace === namespace;
  if (kind === 'Service') return selects(snapshot.services.find(named)?.spec?.selector, pod);
  if (kind === 'HorizontalPodAutoscaler') {
    const target = snapshot.hpas.find(named)?.spec?.scaleTargetRef;
    return target !== undefined && ownedBy(pod, snapshot, target.kind, target.name);
  }
  return ownedBy(pod, snapshot, kind, name);
}

/** Whether the pod belongs to the workload: its Deployment (through its ReplicaSet) or owner. */
function ownedBy(pod: V1Pod, snapshot: Snapshot, kind: string, name: string): boolean {
  if (kind === 'Deployment') return deploymentOf(pod, snapshot.replicaSets)?.name === name;
  const owners = pod.metadata?.ownerReferences ?? [];
  if (owners.some((o) => o.kind === kind && o.name === name)) return true;
  // A CronJob's pods belong to its Jobs.
  if (kind !== 'CronJob') return false;
  return owners.some(
    (o) =>
      o.kind === 'Job' &&
      snapshot.jobs.some(
        (job) =>
          job.metadata?.name === o.name &&
          (job.metadata?.ownerReferences ?? []).some((j) => j.kind === kind && j.name === name),
      ),
  );
}

function selects(selector: Record<string, string> | undefined, pod: V1Pod): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * Findings read elsewhere (Prometheus) told among ranked ones: each before the first that ranks
 * after it by severity and confidence, so a known cause found in the cluster still leads.
 */
export function withRanked(ranked: readonly Finding[], more: readonly Finding[]): Finding[] {
  const out = [...ranked];
  const rank = (f: Finding) => SEVERITY[f.severity] * 3 + CONFIDENCE[f.confidence];
  for (const finding of more) {
    const at = out.findIndex((f) => rank(f) > rank(finding));
    out.splice(at === -1 ? out.length : at, 0, finding);
  }
  return out;
}
