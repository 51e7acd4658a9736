import type { V1Deployment, V1ManagedFieldsEntry, V1Pod } from '@kubernetes/client-node';
import type { Application, AppResource } from '../../argocd/application.ts';
import { eventsAbout, type Finding, type ObjectRef, type Snapshot } from './finding.ts';
import { redactFinding } from './index.ts';

/**
 * Findings about Argo CD applications, from their status fields, the live objects they manage and
 * the events by reason: a sync that failed, an application Degraded (which resource, and why:
 * its pods' waiting and termination reasons), drift (which resources are OutOfSync, and who
 * changed them by hand: the field managers other than Argo CD's on the live object), and
 * self-heal reverting a manual change again and again.
 */
const ARGO_MANAGERS = new Set(['argocd-controller', 'argocd-application-controller']);

export function analyzeApplications(apps: readonly Application[], snapshot: Snapshot): Finding[] {
  return apps
    .flatMap((app) => [
      ...syncFailed(app, snapshot),
      ...degraded(app, snapshot),
      ...selfHealFight(app, snapshot),
      ...outOfSync(app, snapshot),
    ])
    .map(redactFinding);
}

function appRef(app: Application): ObjectRef {
  const ref: ObjectRef = { kind: 'Application', name: app.metadata.name };
  if (app.metadata.namespace !== undefined) ref.namespace = app.metadata.namespace;
  return ref;
}

function syncFailed(app: Application, snapshot: Snapshot): Finding[] {
  const state = app.status.operationState;
  const failed = state?.phase === 'Failed' || state?.phase === 'Error';
  const condition = app.status.conditions?.find((c) => c.type === 'SyncError');
  if (!failed && condition === undefined) return [];
  const ref = appRef(app);
  const refused = (state?.syncResult?.resources ?? []).filter((r) => r.status === 'SyncFailed');
  return [
    {
      rule: 'argocd-sync-failed',
      severity: 'critical',
      object: ref,
      title: `Argo CD sync of application ${app.metadata.name} ${state?.phase === 'Error' ? 'could not run' : 'failed'}${state?.syncResult?.revision ? ` at revision ${state.syncResult.revision.slice(0, 7)}` : ''}`,
      cause: refused[0]
        ? `the API server refused ${label(refused[0])}: ${refused[0].message ?? 'no message'}`
        : `the sync operation ended ${state?.phase ?? 'with a SyncError'}: ${state?.message ?? condition?.message ?? 'no message'}`,
      confidence: 'certain',
      confidenceReason: "Argo CD's operation state records the failure",
      evidence: [
        ...(failed ? [`operation ${state?.phase}: ${state?.message ?? ''}`] : []),
        ...refused.map((r) => `${label(r)} refused: ${r.message ?? ''}`),
        ...(condition ? [`condition SyncError: ${condition.message ?? ''}`] : []),
        ...eventsAbout(snapshot.events, ref, ['OperationCompleted'], 2),
      ],
    },
  ];
}

function degraded(app: Application, snapshot: Snapshot): Finding[] {
  if (app.status.health?.status !== 'Degraded') return [];
  const bad = (app.status.resources ?? []).filter((r) => r.health?.status === 'Degraded');
  const evidence = bad.flatMap((r) => [
    `${label(r)} is Degraded${r.health?.message ? `: ${r.health.message}` : ''}`,
    ...podReasons(r, snapshot),
  ]);
  return [
    {
      rule: 'argocd-degraded',
      severity: 'critical',
      object: appRef(app),
      title: `Argo CD application ${app.metadata.name} is Degraded${bad[0] ? `: ${label(bad[0])}` : ''}`,
      cause: bad[0]
        ? `${label(bad[0])} is unhealthy${bad[0].health?.message ? `: ${bad[0].health.message}` : ''}`
        : 'could not determine which resource is unhealthy: the application lists none as Degraded',
      confidence: bad[0] ? 'likely' : 'unsure',
      confidenceReason: bad[0]
        ? "Argo CD's resource health names it; the pods' own findings say why"
        : 'only the application-level health is reported',
      evidence: [
        `application health: Degraded${app.status.health.message ? ` (${app.status.health.message})` : ''}`,
        ...evidence,
      ],
    },
  ];
}

/** Why a Degraded deployment's pods do not run: their waiting and last termination reasons. */
function podReasons(resource: AppResource, snapshot: Snapshot): string[] {
  if (resource.kind !== 'Deployment') return [];
  const deployment = liveDeployment(resource, snapshot);
  const selector = deployment?.spec?.selector.matchLabels ?? {};
  const pods = snapshot.pods.filter(
    (p) =>
      p.metadata?.namespace === resource.namespace &&
      Object.keys(selector).length > 0 &&
      Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v),
  );
  const reasons = new Map<string, number>();
  for (const pod of pods)
    for (const reason of reasonsOf(pod)) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  return [...reasons].map(([reason, count]) => `${count} of ${pods.length} pods: ${reason}`);
}

function reasonsOf(pod: V1Pod): string[] {
  return (pod.status?.containerStatuses ?? []).flatMap((c) => {
    const out: string[] = [];
    const waiting = c.state?.waiting?.reason;
    if (waiting) out.push(`container ${c.name} waiting: ${waiting}`);
    const last = c.lastState?.terminated;
    if (last?.reason)
      out.push(`container ${c.name} last terminated: ${last.reason} (exit code ${last.exitCode})`);
    return out;
  });
}

function selfHealFight(app: Application, snapshot: Snapshot): Finding[] {
  if (app.spec.syncPolicy?.automated?.selfHeal !== true) return [];
  const state = app.status.operationState;
  const attempts = state?.operation?.sync?.selfHealAttemptsCount ?? 0;
  const ref = appRef(app);
  const started = snapshot.events.filter(
    (e) =>
      e.involvedObject.kind === 'Application' &&
      e.involvedObject.name === ref.name &&
      e.reason === 'OperationStarted',
  );
  const syncs = started.reduce((n, e) => n + (e.count ?? 1), 0);
  if (attempts < 2 && !(attempts >= 1 && syncs >= 2)) return [];
  const reapplied = (state?.syncResult?.resources ?? []).filter((r) =>
    /configured$/.test(r.message ?? ''),
  );
  const changers = reapplied.flatMap((r) => manualChanges(r, snapshot));
  return [
    {
      rule: 'argocd-self-heal-fight',
      severity: 'warning',
      object: ref,
      title: `Argo CD self-heal keeps reverting a manual change to application ${app.metadata.name} (${attempts} self-heals to the same revision)`,
      cause: 'someone (or something) keeps changing by hand what Argo CD manages from Git',
      confidence: changers.length > 0 ? 'certain' : 'likely',
      confidenceReason:
        changers.length > 0
          ? 'the live object names another field manager'
          : 'repeated self-heals to one revision; no other field manager was found',
      evidence: [
        `self-heal attempts on revision ${(state?.syncResult?.revision ?? '').slice(0, 7)}: ${attempts}`,
        ...reapplied.map((r) => `${label(r)} put back to Git's state: ${r.message ?? ''}`),
        ...changers,
        'a change made by hand is reverted within seconds: make it in Git (a pull request), or stop whoever keeps making it',
        ...eventsAbout(snapshot.events, ref, ['OperationStarted'], 1),
      ],
    },
  ];
}

function outOfSync(app: Application, snapshot: Snapshot): Finding[] {
  if (app.status.sync?.status !== 'OutOfSync') return [];
  const drifted = (app.status.resources ?? []).filter((r) => r.status === 'OutOfSync');
  const automated = app.spec.syncPolicy?.automated;
  const outlook =
    automated?.selfHeal === true
      ? 'self-heal will put it back to Git’s state'
      : automated
        ? 'automated sync will not revert it (self-heal is off); a manual sync would'
        : 'nothing syncs it by itself (manual sync policy): a sync would revert the manual change, a change in Git would keep it';
  return [
    {
      rule: 'argocd-out-of-sync',
      severity: automated?.selfHeal === true ? 'info' : 'warning',
      object: appRef(app),
      title: `Argo CD application ${app.metadata.name} is OutOfSync with Git at ${(app.status.sync.revision ?? '').slice(0, 7) || 'an unknown revision'}: ${drifted.map(label).join(', ') || 'no resource named'}`,
      cause: `the live state differs from Git: ${drifted.map(label).join(', ') || 'no resource named'}`,
      confidence: 'certain',
      confidenceReason: "Argo CD's comparison with Git reports it",
      evidence: [
        ...drifted.map((r) =>
          r.requiresPruning
            ? `${label(r)}: live but no longer in Git (requires pruning)`
            : r.health?.status === 'Missing'
              ? `${label(r)}: in Git but missing from the cluster`
              : `${label(r)}: differs from Git`,
        ),
        ...drifted.flatMap((r) => manualChanges(r, snapshot)),
        outlook,
      ],
    },
  ];
}

/** Who changed a live deployment besides Argo CD, and which fields they hold: the "how" of a drift. */
function manualChanges(resource: AppResource, snapshot: Snapshot): string[] {
  if (resource.kind !== 'Deployment') return [];
  const entries = liveDeployment(resource, snapshot)?.metadata?.managedFields ?? [];
  return entries
    .filter(
      (e) => !ARGO_MANAGERS.has(e.manager ?? '') && e.operation === 'Update' && !e.subresource,
    )
    .filter((e) => fieldsOf(e).some((f) => f.startsWith('spec')))
    .map(
      (e) =>
        `${label(resource)}: ${fieldsOf(e)
          .filter((f) => f.startsWith('spec'))
          .join(
            ', ',
          )} set by ${e.manager ?? 'an unknown client'}${e.time ? ` at ${new Date(e.time).toISOString()}` : ''}`,
    );
}

/** The leaf field paths a managed-fields entry owns: `spec.replicas`. */
function fieldsOf(entry: V1ManagedFieldsEntry): string[] {
  const out: string[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (typeof node !== 'object' || node === null) return;
    const keys = Object.keys(node).filter((k) => k.startsWith('f:'));
    if (keys.length === 0 && path.length > 0) out.push(path.join('.'));
    for (const key of keys) walk((node as Record<string, unknown>)[key], [...path, key.slice(2)]);
  };
  walk(entry.fieldsV1, []);
  return out.slice(0, 10);
}

function liveDeployment(resource: AppResource, snapshot: Snapshot): V1Deployment | undefined {
  return snapshot.deployments.find(
    (d) => d.metadata?.namespace === resource.namespace && d.metadata?.name === resource.name,
  );
}

function label(r: {
  group?: string | undefined;
  kind: string;
  namespace?: string | undefined;
  name: string;
}): string {
  return `${r.group ? `${r.group}/` : ''}${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}
