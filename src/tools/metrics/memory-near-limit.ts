import { formatMemory } from '../../shared/quantity.ts';
import type { Finding } from '../kubernetes/analyzers/index.ts';
import { formatLabels } from './labels.ts';
import { num } from './summarise.ts';

/**
 * A container whose memory came close to its limit in the last hour, as Prometheus measured it:
 * no analyzer sees this in the cluster's objects (nothing has failed yet), but it is an OOM kill
 * on its way. The threshold is the shipped rule's (deploy/prometheus/kubernetes-alerts.yml,
 * KubeContainerMemoryNearLimit: working set / limit > 0.9), so the answer in an alert's thread
 * finds what the alert fired for.
 */
export const NEAR_LIMIT = 0.9;

export type MemoryFigures = {
  namespace: string;
  pod: string;
  container: string;
  /** Highest working set over the window, as a share of the limit. */
  peak: number;
  /** The latest working set, as a share of the limit. */
  last: number;
  limitBytes: number;
  /** The PromQL expression and window the figures come from, for the evidence line. */
  source: string;
};

export function memoryNearLimit(figures: MemoryFigures): Finding | undefined {
  const { namespace, pod, container, peak, last, limitBytes } = figures;
  if (!(peak > NEAR_LIMIT)) return undefined;
  const limit = formatMemory(limitBytes);
  return {
    rule: 'memory-near-limit',
    severity: 'warning',
    object: { kind: 'Pod', namespace, name: pod },
    title: `${namespace}/${pod} container ${container} uses ${percent(peak)} % of its memory limit`,
    cause: `its memory working set reached ${percent(peak)} % of its ${limit} memory limit in the last hour (peak ${used(peak * limitBytes)}, last ${used(last * limitBytes)}): a little more and the kernel kills it (OOMKilled)`,
    confidence: 'certain',
    confidenceReason: `Prometheus measured it: working set over limit above ${NEAR_LIMIT}, the threshold of KubeContainerMemoryNearLimit`,
    evidence: [
      `Prometheus ${figures.source}: ${formatLabels({ container, pod })} max ${num(peak)} last ${num(last)}`,
      `Prometheus kube_pod_container_resource_limits{namespace="${namespace}", pod="${pod}", container="${container}", resource="memory"}: ${limitBytes} (${limit})`,
    ],
  };
}

const MI = 1024 * 1024;

/** A usage to the nearest Mi: `formatMemory` rounds up, as a limit must, which overstates use. */
function used(bytes: number): string {
  return formatMemory(Math.round(bytes / MI) * MI);
}

function percent(share: number): number {
  return Math.round(share * 100);
}
