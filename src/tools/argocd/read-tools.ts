import { z } from 'zod';
import { CoxswainError } from '../../errors.ts';
import type { GitRepository } from '../git/repository.ts';
import type { KubeContext } from '../kubernetes/context.ts';
import { Name, Namespace } from '../kubernetes/context.ts';
import { age, columns, limited } from '../kubernetes/format.ts';
import { defineTool, namespaceScope, type Tool } from '../tool.ts';
import {
  type Application,
  deploysWithin,
  listApplications,
  readVisibleApplication,
  resourceLabel,
  short,
  syncPolicyText,
} from './application.ts';
import { applicationDiff } from './diff.ts';

/**
 * The argocd-operator's read tools over Argo CD's Applications, read from the cluster's API as
 * Argo CD's own CLI and UI present them: the list, one application's status with its resource
 * tree, its deployment history, and what differs between Git and the cluster.
 */
/**
 * What they run with: the cluster and what the asker may see, and the configured GitOps
 * repository's clone, from which the diff reads what an Application deploying from it declares.
 */
export type ArgoContext = KubeContext & { gitops?: GitRepository | undefined };

const AppNamespace = Namespace.default('argocd').describe(
  "Namespace of the Application objects (Argo CD's own, usually argocd)",
);
const AppName = Name.describe('Application name');
const MAX_ROWS = 100;

export const argocdApplications = defineTool({
  name: 'argocd_applications',
  description:
    'List Argo CD applications: project, sync status, health, deployed revision and conditions.',
  verb: 'list',
  scope: (input) => namespaceScope(input.namespace),
  input: z.object({ namespace: AppNamespace }),
  async run({ cluster, namespaces }, input) {
    const all = await listApplications(cluster, input.namespace);
    const apps = all.filter((app) => deploysWithin(app, namespaces));
    const hidden =
      all.length > apps.length
        ? `\n${all.length - apps.length} applications deploying outside this channel's namespaces are not shown.`
        : '';
    if (apps.length === 0)
      return `No Argo CD applications in namespace ${input.namespace} that deploy where this channel may see.${hidden}`;
    const { shown, note } = limited(apps, MAX_ROWS, 'applications');
    const rows = shown.map((app) => [
      app.metadata.name,
      app.spec.project ?? 'default',
      app.status.sync?.status ?? 'Unknown',
      app.status.health?.status ?? 'Unknown',
      short(app.status.sync?.revision),
      (app.status.conditions ?? []).map((c) => c.type).join(',') || '-',
    ]);
    return (
      columns(['NAME', 'PROJECT', 'SYNC', 'HEALTH', 'REVISION', 'CONDITIONS'], rows) + note + hidden
    );
  },
});

export const argocdStatus = defineTool({
  name: 'argocd_status',
  description:
    'One Argo CD application in detail: source and destination, sync and health status, conditions, the last operation (sync or rollback) with its result, and the resource tree with each resource’s sync and health.',
  verb: 'get',
  scope: (input) => namespaceScope(input.namespace),
  input: z.object({ namespace: AppNamespace, name: AppName }),
  async run(context: KubeContext, input) {
    return statusText(await readVisibleApplication(context, input.namespace, input.name));
  },
});

export function statusText(app: Application, now = Date.now()): string {
  const { spec, status } = app;
  const lines = [
    `Application ${app.metadata.namespace ?? ''}/${app.metadata.name} (project ${spec.project ?? 'default'})`,
    `Source: ${spec.source?.repoURL ?? '-'} path ${spec.source?.path ?? '.'} at ${spec.source?.targetRevision ?? 'HEAD'}`,
    `Destination: ${spec.destination?.server ?? spec.destination?.name ?? '-'} namespace ${spec.destination?.namespace ?? '-'}`,
    `Sync policy: ${syncPolicyText(app)}`,
    `Sync: ${status.sync?.status ?? 'Unknown'} (revision ${short(status.sync?.revision)})`,
    `Health: ${status.health?.status ?? 'Unknown'}${status.health?.message ? `: ${status.health.message}` : ''}`,
  ];
  for (const c of status.conditions ?? [])
    lines.push(
      `Condition ${c.type}${c.lastTransitionTime ? ` (${age(c.lastTransitionTime, now)} ago)` : ''}: ${c.message ?? ''}`,
    );
  lines.push(...operationLines(app, now));
  const resources = status.resources ?? [];
  if (resources.length > 0) {
    const { shown, note } = limited(resources, MAX_ROWS, 'resources');
    const rows = shown.map((r) => [
      r.group ? `${r.group}/${r.kind}` : r.kind,
      r.namespace ?? '',
      r.name,
      r.requiresPruning ? `${r.status ?? '-'} (requires pruning)` : (r.status ?? '-'),
      r.health?.status ?? '-',
      r.health?.message ?? '',
    ]);
    lines.push(
      'Resources:',
      columns(['KIND', 'NAMESPACE', 'NAME', 'SYNC', 'HEALTH', 'MESSAGE'], rows) + note,
    );
  }
  if (status.reconciledAt) lines.push(`Reconciled ${age(status.reconciledAt, now)} ago`);
  return lines.join('\n');
}

function operationLines(app: Application, now: number): string[] {
  const state = app.status.operationState;
  const pending = app.operation;
  const lines: string[] = [];
  if (pending !== undefined && state?.phase !== 'Running')
    lines.push(
      `Operation requested: sync to ${short(pending.sync?.revision)} by ${initiator(pending.initiatedBy)}`,
    );
  if (state === undefined) return lines;
  const op = state.operation;
  const when = state.finishedAt ?? state.startedAt;
  lines.push(
    `Last operation: ${state.phase ?? 'Unknown'} sync to ${short(state.syncResult?.revision ?? op?.sync?.revision)} by ${initiator(op?.initiatedBy)}${op?.sync?.selfHealAttemptsCount ? ` (self-heal attempt ${op.sync.selfHealAttemptsCount})` : ''}${when ? `, ${age(when, now)} ago` : ''}: ${state.message ?? ''}`,
  );
  for (const r of state.syncResult?.resources ?? [])
    lines.push(`  ${resourceLabel(r)}: ${r.status ?? '-'}${r.message ? ` (${r.message})` : ''}`);
  return lines;
}

function initiator(
  by: { username?: string | undefined; automated?: boolean | undefined } | undefined,
): string {
  if (by?.automated) return 'automated sync';
  return by?.username ?? 'unknown';
}

export const argocdHistory = defineTool({
  name: 'argocd_history',
  description:
    "An Argo CD application's deployment history: each sync's id, revision, when and by whom. A rollback names one of these ids.",
  verb: 'get',
  scope: (input) => namespaceScope(input.namespace),
  input: z.object({ namespace: AppNamespace, name: AppName }),
  async run(context: KubeContext, input) {
    const app = await readVisibleApplication(context, input.namespace, input.name);
    const history = [...(app.status.history ?? [])].reverse();
    if (history.length === 0) return `Application ${input.name} has no deployment history yet.`;
    const current = app.status.sync?.revision;
    const rows = history.map((h) => [
      String(h.id),
      h.deployedAt ?? '-',
      short(h.revision),
      initiator(h.initiatedBy),
      h.revision !== undefined && h.revision === current ? 'matches Git now' : '',
    ]);
    return columns(['ID', 'DEPLOYED', 'REVISION', 'BY', ''], rows);
  },
});

export const argocdDiff = defineTool({
  name: 'argocd_diff',
  description:
    'What differs between Git (the revision the application compares to) and the live objects, per resource: each drifted field as live → Git, values redacted. Secrets are never read or shown. Git is read from the configured GitOps repository or a local one; plain manifest directories only (not Helm charts or Kustomize).',
  verb: 'diff',
  scope: (input) =>
    input.destination === undefined
      ? {
          namespaces: 'all',
          reason: `argocd_diff reads the resources of application ${input.name} wherever it deploys (give its destination namespace to stay within one)`,
        }
      : { namespaces: [input.namespace, input.destination] },
  input: z.object({
    namespace: AppNamespace,
    name: AppName,
    destination: Namespace.optional().describe(
      'The namespace the application deploys to (spec.destination.namespace)',
    ),
  }),
  async run(context: ArgoContext, input) {
    const app = await readVisibleApplication(context, input.namespace, input.name);
    const destination = app.spec.destination?.namespace;
    if (input.destination !== undefined && destination !== input.destination)
      throw new CoxswainError(
        'kubernetes_api',
        `application ${input.name} deploys to namespace ${destination ?? '(none)'}, not ${input.destination}`,
      );
    return applicationDiff(context.cluster, app, context.gitops);
  },
});

export const ARGOCD_READ_TOOLS = [
  argocdApplications,
  argocdStatus,
  argocdHistory,
  argocdDiff,
] as const satisfies readonly Tool<z.ZodType, ArgoContext>[];
