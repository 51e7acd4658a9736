import type { CoreV1Event, V1ResourceQuota } from '@kubernetes/client-node';
import { type Finding, type ObjectRef, refOf, type Snapshot } from './finding.ts';

/**
 * Findings about controllers that cannot create their pods: the API server refused them, most
 * often for a ResourceQuota (`exceeded quota: q, requested: cpu=2, used: cpu=3, limited: cpu=4`),
 * read from the controllers' FailedCreate events and the ReplicaSets' ReplicaFailure condition.
 */
export function analyzeCreateFailures(snapshot: Snapshot): Finding[] {
  const byObject = new Map<string, { ref: ObjectRef; messages: string[]; evidence: string[] }>();
  const add = (ref: ObjectRef, message: string, line: string) => {
    const key = `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
    const entry = byObject.get(key) ?? { ref, messages: [], evidence: [] };
    entry.messages.push(message);
    if (!entry.evidence.includes(line)) entry.evidence.push(line);
    byObject.set(key, entry);
  };
  for (const event of failedCreates(snapshot.events)) {
    const involved = event.involvedObject;
    const ref: ObjectRef = { kind: involved.kind ?? '?', name: involved.name ?? '?' };
    if (involved.namespace !== undefined) ref.namespace = involved.namespace;
    add(
      ref,
      event.message ?? '',
      `event FailedCreate on ${ref.kind} ${ref.name}: ${event.message ?? ''}${(event.count ?? 1) > 1 ? ` (x${event.count})` : ''}`,
    );
  }
  for (const rs of snapshot.replicaSets) {
    const failure = rs.status?.conditions?.find(
      (c) => c.type === 'ReplicaFailure' && c.status === 'True',
    );
    if (failure === undefined) continue;
    add(
      refOf('ReplicaSet', rs),
      failure.message ?? '',
      `ReplicaSet ${rs.metadata?.name} status.conditions[ReplicaFailure]: ${failure.reason ?? ''}: ${failure.message ?? ''}`,
    );
  }
  return [...byObject.values()].map((entry) =>
    finding(owner(entry.ref, snapshot), entry.ref, entry.messages, entry.evidence, snapshot),
  );
}

function failedCreates(events: readonly CoreV1Event[]): CoreV1Event[] {
  return events
    .filter(
      (e) =>
        e.reason === 'FailedCreate' &&
        e.involvedObject !== undefined &&
        e.involvedObject.kind !== undefined,
    )
    .filter((e) =>
      ['ReplicaSet', 'Job', 'StatefulSet', 'DaemonSet', 'ReplicationController'].includes(
        e.involvedObject.kind ?? '',
      ),
    )
    .sort((a, b) => time(b) - time(a));
}

function time(e: CoreV1Event): number {
  const at = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
  return at === undefined ? 0 : new Date(at).getTime() || 0;
}

/** A ReplicaSet's Deployment, which is what a person names; other controllers are themselves. */
function owner(ref: ObjectRef, snapshot: Snapshot): ObjectRef {
  if (ref.kind !== 'ReplicaSet') return ref;
  const rs = snapshot.replicaSets.find(
    (r) => r.metadata?.name === ref.name && r.metadata?.namespace === ref.namespace,
  );
  const deployment = rs?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment');
  return deployment === undefined ? ref : { ...ref, kind: 'Deployment', name: deployment.name };
}

type Quota = { name: string; requested: string; used: string; limited: string };

export function parseQuotaRefusal(message: string): Quota | undefined {
  const match =
    /exceeded quota: ([^,]+), requested: (.*?), used: (.*?), limited: ([^"]*?)\s*$/.exec(message);
  if (match === null) return undefined;
  return {
    name: match[1] ?? '',
    requested: match[2] ?? '',
    used: match[3] ?? '',
    limited: match[4] ?? '',
  };
}

function finding(
  ref: ObjectRef,
  creator: ObjectRef,
  messages: readonly string[],
  evidence: string[],
  snapshot: Snapshot,
): Finding {
  const what = `${ref.kind.toLowerCase()} ${ref.name} cannot create its pods`;
  const quota = messages.map(parseQuotaRefusal).find((q) => q !== undefined);
  if (quota !== undefined) {
    const object = snapshot.resourceQuotas.find(
      (q) => q.metadata?.name === quota.name && q.metadata?.namespace === creator.namespace,
    );
    return {
      rule: 'quota/exceeded',
      severity: 'critical',
      object: ref,
      title: what,
      cause: `the ResourceQuota ${quota.name} refuses them: a new pod requests ${quota.requested}, and ${quota.used} of the ${quota.limited} it allows is already used`,
      confidence: 'certain',
      confidenceReason: 'the API server names the quota when it refuses the pod',
      evidence: [...evidence.slice(0, 3), ...quotaLines(object)],
    };
  }
  const mustSpecify = messages
    .map((m) => /failed quota: ([^:]+): must specify ([^"]+)/.exec(m))
    .find((m) => m !== null);
  if (mustSpecify != null)
    return {
      rule: 'quota/requests-required',
      severity: 'critical',
      object: ref,
      title: what,
      cause: `the ResourceQuota ${mustSpecify[1]} requires every pod to set ${mustSpecify[2]?.trim()}, and these do not`,
      confidence: 'certain',
      confidenceReason: 'the API server says so when it refuses the pod',
      evidence: evidence.slice(0, 3),
    };
  return {
    rule: 'workload/create-failed',
    severity: 'critical',
    object: ref,
    title: what,
    cause: `the API server refuses its pods: ${messages[0] ?? 'no message'}`,
    confidence: 'certain',
    confidenceReason: 'the controller reports the refusal',
    evidence: evidence.slice(0, 3),
  };
}

function quotaLines(quota: V1ResourceQuota | undefined): string[] {
  if (quota === undefined) return [];
  const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
  const used = quota.status?.used ?? {};
  return [
    `ResourceQuota ${quota.metadata?.name} status: ${Object.keys(hard)
      .map((k) => `${k} ${used[k] ?? '0'}/${hard[k]}`)
      .join(', ')}`,
  ];
}
