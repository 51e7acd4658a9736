import type {
  V2HorizontalPodAutoscaler,
  V2HorizontalPodAutoscalerCondition,
  V2MetricSpec,
} from '@kubernetes/client-node';
import { type Finding, type ObjectRef, refOf, type Snapshot } from './finding.ts';

/**
 * Findings about HorizontalPodAutoscalers: held at their maximum while the load asks for more,
 * unable to read the metrics they scale on (most often a utilization target on a container
 * without requests), or unable to find what they scale.
 */
export function analyzeAutoscalers(snapshot: Snapshot): Finding[] {
  return snapshot.hpas.flatMap((hpa) => hpaFindings(hpa, snapshot));
}

function hpaFindings(hpa: V2HorizontalPodAutoscaler, snapshot: Snapshot): Finding[] {
  const ref = refOf('HorizontalPodAutoscaler', hpa);
  const conditions = hpa.status?.conditions ?? [];
  const failing = (type: string) => conditions.find((c) => c.type === type && c.status === 'False');
  const able = failing('AbleToScale');
  if (able !== undefined && able.reason === 'FailedGetScale')
    return [targetMissing(hpa, ref, able)];
  const active = failing('ScalingActive');
  if (active !== undefined && active.reason !== 'ScalingDisabled')
    return [metricsFinding(hpa, ref, active, snapshot)];
  const limited = conditions.find((c) => c.type === 'ScalingLimited' && c.status === 'True');
  const max = hpa.spec?.maxReplicas;
  const over = (hpa.status?.desiredReplicas ?? 0) > (max ?? Number.POSITIVE_INFINITY);
  if (limited?.reason === 'TooManyReplicas' || (over && hpa.status?.currentReplicas === max))
    return [atMax(hpa, ref, limited)];
  return [];
}

function conditionLine(ref: ObjectRef, c: V2HorizontalPodAutoscalerCondition): string {
  return `HorizontalPodAutoscaler ${ref.name} status.conditions[${c.type}]: ${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`;
}

function target(hpa: V2HorizontalPodAutoscaler): string {
  const t = hpa.spec?.scaleTargetRef;
  return `${t?.kind ?? '?'} ${t?.name ?? '?'}`;
}

function targetMissing(
  hpa: V2HorizontalPodAutoscaler,
  ref: ObjectRef,
  c: V2HorizontalPodAutoscalerCondition,
): Finding {
  return {
    rule: 'hpa/target-missing',
    severity: 'warning',
    object: ref,
    title: `autoscaler ${ref.name} cannot scale ${target(hpa)}`,
    cause: `it cannot read the scale of ${target(hpa)}: ${c.message ?? 'no message'}`,
    confidence: 'certain',
    confidenceReason: 'the AbleToScale condition says FailedGetScale',
    evidence: [conditionLine(ref, c)],
  };
}

function metricText(m: V2MetricSpec): string {
  const r = m.resource ?? m.containerResource;
  if (r !== undefined)
    return `${r.name} ${r.target.averageUtilization !== undefined ? `${r.target.averageUtilization}% utilization` : (r.target.averageValue ?? r.target.value ?? '?')}`;
  return m.type;
}

function atMax(
  hpa: V2HorizontalPodAutoscaler,
  ref: ObjectRef,
  limited: V2HorizontalPodAutoscalerCondition | undefined,
): Finding {
  const current = (hpa.status?.currentMetrics ?? []).map((m) => {
    const r = m.resource ?? m.containerResource;
    return r === undefined
      ? m.type
      : `${r.name} ${r.current.averageUtilization !== undefined ? `${r.current.averageUtilization}%` : (r.current.averageValue ?? '?')}`;
  });
  return {
    rule: 'hpa/at-max',
    severity: 'warning',
    object: ref,
    title: `autoscaler ${ref.name} is at its maximum of ${hpa.spec?.maxReplicas} replicas`,
    cause: `the load asks for more replicas of ${target(hpa)} than maxReplicas (${hpa.spec?.maxReplicas}) allows, so it stays at ${hpa.status?.currentReplicas ?? '?'} and the pods run above their target`,
    confidence: limited !== undefined ? 'certain' : 'likely',
    confidenceReason:
      limited !== undefined
        ? 'the ScalingLimited condition says TooManyReplicas'
        : 'the desired replica count is above the maximum',
    evidence: [
      ...(limited ? [conditionLine(ref, limited)] : []),
      `HorizontalPodAutoscaler ${ref.name} replicas: current ${hpa.status?.currentReplicas ?? '?'}, desired ${hpa.status?.desiredReplicas ?? '?'}, min ${hpa.spec?.minReplicas ?? 1}, max ${hpa.spec?.maxReplicas}`,
      `targets: ${(hpa.spec?.metrics ?? []).map(metricText).join(', ') || '(default)'}; current: ${current.join(', ') || 'unknown'}`,
    ],
  };
}

function metricsFinding(
  hpa: V2HorizontalPodAutoscaler,
  ref: ObjectRef,
  c: V2HorizontalPodAutoscalerCondition,
  snapshot: Snapshot,
): Finding {
  const missing = missingRequests(hpa, snapshot);
  const said = /missing request for (\S+?)(?: in container (\S+))?(?: of Pod|$|\s)/.exec(
    c.message ?? '',
  );
  const base = {
    severity: 'warning' as const,
    object: ref,
    title: `autoscaler ${ref.name} cannot compute how many replicas ${target(hpa)} needs`,
  };
  if (said !== null || missing.length > 0)
    return {
      ...base,
      rule: 'hpa/missing-requests',
      cause: `it scales on ${said?.[1] ?? missing[0]?.resource} utilization, which is usage over the request, and ${missing.length > 0 ? `container${missing.length > 1 ? 's' : ''} ${missing.map((m) => m.container).join(', ')} set${missing.length > 1 ? '' : 's'} no ${missing[0]?.resource} request` : `container ${said?.[2] ?? '?'} sets no ${said?.[1]} request`}`,
      confidence: 'certain',
      confidenceReason:
        said !== null
          ? 'the HPA says a request is missing, and the pod template agrees'
          : 'the pod template sets no request for a utilization target',
      evidence: [
        conditionLine(ref, c),
        ...missing.map(
          (m) =>
            `${target(hpa)} spec.template.spec.containers[${m.container}].resources.requests.${m.resource}: (unset)`,
        ),
      ],
    };
  const noServer =
    /metrics API|pods\.metrics\.k8s\.io|custom\.metrics|external\.metrics|no metrics returned/i.test(
      c.message ?? '',
    );
  return {
    ...base,
    rule: 'hpa/metrics-unavailable',
    cause: `it cannot read its metrics (${c.reason ?? 'ScalingActive=False'})${noServer ? '; the metrics API answers with nothing: is metrics-server (or the metrics adapter) installed and running?' : `: ${c.message ?? 'no message'}`}`,
    confidence: noServer ? 'likely' : 'certain',
    confidenceReason: noServer
      ? "the HPA says the metrics API returned nothing; why is on the metrics server's side"
      : 'the ScalingActive condition says so',
    evidence: [conditionLine(ref, c)],
  };
}

/** Containers of the target's pod template without a request for a resource scaled on utilization. */
function missingRequests(
  hpa: V2HorizontalPodAutoscaler,
  snapshot: Snapshot,
): { container: string; resource: string }[] {
  const t = hpa.spec?.scaleTargetRef;
  const ns = hpa.metadata?.namespace;
  const workload = [...snapshot.deployments, ...snapshot.statefulSets].find(
    (w) =>
      w.metadata?.name === t?.name &&
      w.metadata?.namespace === ns &&
      (t?.kind === 'Deployment' || t?.kind === 'StatefulSet'),
  );
  const containers = workload?.spec?.template?.spec?.containers ?? [];
  const resources = (hpa.spec?.metrics ?? [])
    .filter((m) => m.type === 'Resource' && m.resource?.target.type === 'Utilization')
    .map((m) => m.resource?.name ?? '');
  return resources.flatMap((resource) =>
    containers
      .filter((c) => c.resources?.requests?.[resource] === undefined)
      .map((c) => ({ container: c.name, resource })),
  );
}
