import type { V1Pod } from '@kubernetes/client-node';
import { type ChatMessageInput, fitMessage } from '../chat/message.ts';
import { type Autonomy, DEFAULT_AUTONOMY } from '../config/policy-schema.ts';
import { inScope } from '../policy/command-scope.ts';
import { tierOf } from '../policy/tiers.ts';
import type { DiagnoseTarget } from '../queue/command-data.ts';
import { type Application, listApplications } from '../tools/argocd/application.ts';
import type { GitChange } from '../tools/git/change.ts';
import type { GitRepository } from '../tools/git/repository.ts';
import { preferGit } from '../tools/gitops/prefer-git.ts';
import type { KubeAction } from '../tools/kubernetes/actions/action.ts';
import { NoChangeError } from '../tools/kubernetes/actions/dry-run.ts';
import { proposeRollback, proposeSetResources } from '../tools/kubernetes/actions/propose.ts';
import { analyzeApplications } from '../tools/kubernetes/analyzers/argocd.ts';
import {
  analyze,
  type Finding,
  type ProposedAction,
  type Snapshot,
} from '../tools/kubernetes/analyzers/index.ts';
import { deploymentOf } from '../tools/kubernetes/analyzers/pods.ts';
import type { Cluster } from '../tools/kubernetes/cluster.ts';
import { readSnapshot } from '../tools/kubernetes/snapshot.ts';

/**
 * `diagnose [KIND/NAME] [-n NS]`: reads the cluster once, runs the analyzers, and for each fix a
 * rule knows, asks the API server for a dry run of it. Nothing is changed: the fixes come back
 * as actions, with their tier, for a person (and the approval flow) to decide on.
 */
type DiagnoseRequest = {
  namespace?: string | undefined;
  target?: DiagnoseTarget | undefined;
  /** Namespace globs the asker may see (a channel's binding); findings elsewhere are left out. */
  visible: readonly string[];
  /** The GitOps repository: a fix to what Argo CD manages is proposed there as a pull request. */
  git?: GitRepository | undefined;
};

export type Diagnosis = {
  scope: string;
  findings: Finding[];
  actions: { action: KubeAction | GitChange; tier: string; why: string }[];
  /** Fixes a rule proposed but the server refused in its dry run, with the reason. */
  refused: { summary: string; reason: string }[];
  message: ChatMessageInput;
};

const MAX_FINDINGS = 12;

export async function diagnose(
  cluster: Cluster,
  request: DiagnoseRequest,
  autonomy: Autonomy = DEFAULT_AUTONOMY,
): Promise<Diagnosis> {
  const snapshot = await readSnapshot(cluster, request.namespace);
  const scope = scopeOf(cluster, request);
  if (request.target !== undefined && !exists(snapshot, request.target)) {
    const where =
      request.target.kind === 'Node'
        ? ''
        : ` in ${request.namespace ? `namespace ${request.namespace}` : 'any namespace'}`;
    const message = {
      headline: `${request.target.kind.toLowerCase()} ${request.target.name} not found${where}`,
      tone: 'warning' as const,
      footer: `cluster ${cluster.name}`,
    };
    return { scope, findings: [], actions: [], refused: [], message };
  }
  // A pod on its way out (a rollout replacing it) is history, not a problem to fix.
  const live = { ...snapshot, pods: snapshot.pods.filter((p) => !p.metadata?.deletionTimestamp) };
  const apps = await applicationsDeployingTo(cluster, request.namespace);
  const findings = [...analyze(live), ...analyzeApplications(apps, live)].filter(
    (f) =>
      inScope(request.visible, f.object.namespace) &&
      (request.target === undefined
        ? relevant(f, request.namespace, snapshot)
        : concerns(f, request.target, snapshot)),
  );
  const actions: Diagnosis['actions'] = [];
  const refused: Diagnosis['refused'] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    const proposed = finding.action;
    if (proposed === undefined || seen.has(JSON.stringify(proposed))) continue;
    seen.add(JSON.stringify(proposed));
    try {
      const action = await toAction(cluster, proposed).catch((error: unknown) => {
        // The object is already as the fix would make it: nothing to propose.
        if (error instanceof NoChangeError) return undefined;
        throw error;
      });
      if (action === undefined) continue;
      const fix = await preferGit(
        cluster,
        action,
        request.git,
        `diagnose-${action.digest.slice(0, 12)}`,
      );
      actions.push({
        action: fix,
        tier: tierOf({ verb: fix.verb, kind: fix.target.kind }, autonomy),
        why: finding.title,
      });
    } catch (error) {
      refused.push({ summary: proposed.summary, reason: (error as Error).message });
    }
  }
  return {
    scope,
    findings,
    actions,
    refused,
    message: render(cluster, scope, findings, actions, refused, snapshot),
  };
}

function toAction(cluster: Cluster, proposed: ProposedAction): Promise<KubeAction> {
  const namespace = proposed.target.namespace ?? 'default';
  if (proposed.type === 'set-resources') {
    return proposeSetResources(cluster, {
      namespace,
      name: proposed.target.name,
      container: proposed.container,
      ...proposed.resources,
    });
  }
  return proposeRollback(cluster, {
    namespace,
    name: proposed.target.name,
    toRevision: proposed.toRevision,
  });
}

function scopeOf(cluster: Cluster, request: DiagnoseRequest): string {
  const where = request.namespace ? `namespace ${request.namespace}` : 'all namespaces';
  const what = request.target
    ? `${request.target.kind.toLowerCase()} ${request.target.name} in `
    : '';
  return `${what}${where} of cluster ${cluster.name}`;
}

function exists(snapshot: Snapshot, target: DiagnoseTarget): boolean {
  const list =
    target.kind === 'Pod'
      ? snapshot.pods
      : target.kind === 'Deployment'
        ? snapshot.deployments
        : snapshot.nodes;
  return list.some((o) => o.metadata?.name === target.name);
}

/** In one namespace, a node matters only when the namespace's pods run on it. */
function relevant(finding: Finding, namespace: string | undefined, snapshot: Snapshot): boolean {
  if (namespace === undefined || finding.object.kind !== 'Node') return true;
  return snapshot.pods.some((p) => p.spec?.nodeName === finding.object.name);
}

/** Whether a finding is about the target: the object itself, or a pod it owns or runs. */
function concerns(finding: Finding, target: DiagnoseTarget, snapshot: Snapshot): boolean {
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

function render(
  cluster: Cluster,
  scope: string,
  findings: Finding[],
  actions: Diagnosis['actions'],
  refused: Diagnosis['refused'],
  snapshot: Snapshot,
): ChatMessageInput {
  const footer = `cluster ${cluster.name} · read ${snapshot.pods.length} pods, ${snapshot.deployments.length} deployments, ${snapshot.nodes.length} nodes, ${snapshot.events.length} events`;
  if (findings.length === 0) {
    return fitMessage({ headline: `No problems found in ${scope}`, tone: 'resolved', footer });
  }
  const critical = findings.filter((f) => f.severity === 'critical').length;
  const sections = findings.slice(0, MAX_FINDINGS).map((f) => ({
    title: `${f.severity.toUpperCase()} · ${f.title}`,
    code: f.evidence.join('\n'),
  }));
  if (findings.length > MAX_FINDINGS)
    sections.push({ title: `… and ${findings.length - MAX_FINDINGS} more findings`, code: '' });
  for (const { action, tier } of actions) {
    sections.push({
      title: `Proposed fix (${tier} tier): ${action.summary}`,
      code: action.diff,
    });
  }
  for (const r of refused)
    sections.push({
      title: `Proposed fix refused by the API server's dry run: ${r.summary}`,
      code: r.reason,
    });
  const fixes =
    actions.length === 0
      ? ''
      : ` ${actions.length} fix${actions.length === 1 ? '' : 'es'} proposed; nothing has been changed.`;
  return fitMessage({
    headline: `${findings.length} problem${findings.length === 1 ? '' : 's'} in ${scope}`,
    text: `${critical} critical, ${findings.length - critical} other.${fixes}`,
    tone: critical > 0 ? 'critical' : 'warning',
    sections: sections.map((s) => (s.code === '' ? { title: s.title } : s)),
    footer,
  });
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
