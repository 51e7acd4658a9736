import type { ChatMessageInput } from '../chat/message.ts';
import { type Autonomy, DEFAULT_AUTONOMY } from '../config/policy-schema.ts';
import { tierOf } from '../policy/tiers.ts';
import type { DiagnoseTarget } from '../queue/command-data.ts';
import type { GitChange } from '../tools/git/change.ts';
import type { GitRepository } from '../tools/git/repository.ts';
import { preferGit } from '../tools/gitops/prefer-git.ts';
import type { KubeAction } from '../tools/kubernetes/actions/action.ts';
import { NoChangeError } from '../tools/kubernetes/actions/dry-run.ts';
import { proposeRollback, proposeSetResources } from '../tools/kubernetes/actions/propose.ts';
import type { Finding, ProposedAction, Snapshot } from '../tools/kubernetes/analyzers/index.ts';
import type { Cluster } from '../tools/kubernetes/cluster.ts';
import { findProblems, whatWasChecked } from '../tools/kubernetes/find-problems.ts';
import { renderDiagnosis } from './render-diagnosis.ts';

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
  /** When the cluster is read (a recorded cluster's time); now by default. */
  now?: Date | undefined;
};

export type Diagnosis = {
  scope: string;
  findings: Finding[];
  actions: { action: KubeAction | GitChange; tier: string; why: string }[];
  /** Fixes a rule proposed but the server refused in its dry run, with the reason. */
  refused: { summary: string; reason: string }[];
  message: ChatMessageInput;
  /** What the read covered, as counts of each kind (`5 pods, 2 deployments, …`). */
  checked: string;
};

export async function diagnose(
  cluster: Cluster,
  request: DiagnoseRequest,
  autonomy: Autonomy = DEFAULT_AUTONOMY,
): Promise<Diagnosis> {
  const { snapshot, findings } = await findProblems(cluster, request);
  const scope = scopeOf(cluster, request);
  const checked = whatWasChecked(snapshot);
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
    return { scope, findings: [], actions: [], refused: [], message, checked };
  }
  const { actions, refused } = await dryRunFixes(cluster, findings, request.git, autonomy);
  return {
    scope,
    findings,
    actions,
    refused,
    checked,
    message: renderDiagnosis({
      cluster: cluster.name,
      scope,
      findings,
      actions,
      refused,
      snapshot,
    }),
  };
}

/** Each fix a rule knows, once, as the API server's dry run of it (or its refusal). */
async function dryRunFixes(
  cluster: Cluster,
  findings: readonly Finding[],
  git: GitRepository | undefined,
  autonomy: Autonomy,
): Promise<Pick<Diagnosis, 'actions' | 'refused'>> {
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
      // A pull request is a way to make the cluster change: what the policy forbids stays refused.
      if (tierOf({ verb: action.verb, kind: action.target.kind }, autonomy) === 'forbidden') {
        refused.push({ summary: proposed.summary, reason: 'forbidden by the autonomy policy' });
        continue;
      }
      const fix = await preferGit(cluster, action, git, `diagnose-${action.digest.slice(0, 12)}`);
      actions.push({
        action: fix,
        tier: tierOf({ verb: fix.verb, kind: fix.target.kind }, autonomy),
        why: finding.title,
      });
    } catch (error) {
      refused.push({ summary: proposed.summary, reason: (error as Error).message });
    }
  }
  return { actions, refused };
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
