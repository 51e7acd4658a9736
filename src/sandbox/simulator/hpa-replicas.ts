/**
 * The horizontal pod autoscaler's arithmetic for one Resource metric, as the real replica
 * calculator does it: utilization is total usage over total requests of the pods that report
 * metrics; the usage ratio to the target moves the replica count to ceil(ratio × pods) unless it
 * is within the 10% tolerance. Pods not reporting yet count as using nothing when scaling up and
 * as using all they asked for when scaling down, so that they never push the count further.
 */
export const TOLERANCE = 0.1;

export type ResourceTarget =
  | { kind: 'Utilization'; percent: number }
  /** Per pod, in millicores for cpu and bytes for memory. */
  | { kind: 'AverageValue'; value: number };

export type PodSample = {
  pod: string;
  /** Usage in millicores or bytes; undefined while the pod reports no metrics. */
  usage: number | undefined;
  /** Sum of the containers' requests; a container without one is named instead. */
  request: number | { missingIn: string };
};

export type Recommendation =
  | {
      replicas: number;
      /** Percent of request (Utilization targets). */
      utilization?: number;
      /** Average usage of the pods reporting. */
      averageValue: number;
    }
  | { error: string };

export function recommend(
  resource: string,
  target: ResourceTarget,
  currentReplicas: number,
  samples: PodSample[],
): Recommendation {
  const reporting = samples.filter((s) => s.usage !== undefined);
  if (reporting.length === 0) {
    return {
      error: `unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`,
    };
  }
  const missing = samples.filter((s) => s.usage === undefined);
  const usage = (s: PodSample) => s.usage ?? 0;
  const total = reporting.reduce((sum, s) => sum + usage(s), 0);
  const averageValue = total / reporting.length;

  if (target.kind === 'AverageValue') {
    const ratio = averageValue / target.value;
    const replicas = scaled(
      ratio,
      currentReplicas,
      reporting.length,
      () => {
        const assumed = missing.length * (ratio < 1 ? target.value : 0);
        return (total + assumed) / samples.length / target.value;
      },
      missing.length,
    );
    return { replicas, averageValue };
  }

  let requested = 0;
  for (const s of samples) {
    if (typeof s.request !== 'number') {
      return {
        error: `missing request for ${resource} in container ${s.request.missingIn} of Pod ${s.pod}`,
      };
    }
  }
  for (const s of reporting) requested += s.request as number;
  if (requested === 0) return { error: `no ${resource} requests on the pods` };
  const utilization = Math.trunc((total * 100) / requested);
  const ratio = utilization / target.percent;
  const replicas = scaled(
    ratio,
    currentReplicas,
    reporting.length,
    () => {
      const extraUsage = ratio < 1 ? missing.reduce((sum, s) => sum + (s.request as number), 0) : 0;
      const extraRequest = missing.reduce((sum, s) => sum + (s.request as number), 0);
      return Math.trunc(((total + extraUsage) * 100) / (requested + extraRequest)) / target.percent;
    },
    missing.length,
  );
  return { replicas, utilization, averageValue };
}

/** The replica count for `ratio`, with the tolerance and the pods that report nothing yet. */
function scaled(
  ratio: number,
  current: number,
  reporting: number,
  ratioWithMissing: () => number,
  missing: number,
): number {
  if (missing === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return current;
    return Math.ceil(ratio * reporting);
  }
  if (Math.abs(1 - ratio) <= TOLERANCE) return current;
  const adjusted = ratioWithMissing();
  // Counting the silent pods may not reverse the direction, nor land within tolerance.
  if (Math.abs(1 - adjusted) <= TOLERANCE || ratio > 1 !== adjusted > 1) return current;
  const proposed = Math.ceil(adjusted * (reporting + missing));
  if ((ratio > 1 && proposed < current) || (ratio < 1 && proposed > current)) return current;
  return proposed;
}

export type Limits = { minReplicas: number; maxReplicas: number };

export type Normalized = {
  replicas: number;
  limited: { reason: string; message: string } | undefined;
};

/**
 * The desired count after the default scale-up rate (double, or four more pods, per period)
 * and the bounds, with the ScalingLimited reason the real controller gives.
 */
export function normalize(desired: number, current: number, limits: Limits): Normalized {
  const upLimit = Math.max(current * 2, current + 4);
  if (desired > upLimit && upLimit <= limits.maxReplicas) {
    return {
      replicas: upLimit,
      limited: {
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      },
    };
  }
  if (desired > limits.maxReplicas) {
    return {
      replicas: limits.maxReplicas,
      limited: {
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      },
    };
  }
  if (desired < limits.minReplicas) {
    return {
      replicas: limits.minReplicas,
      limited: {
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      },
    };
  }
  return { replicas: desired, limited: undefined };
}
