import type { KObject } from './store.ts';

/**
 * The DefaultTolerationSeconds admission plugin: a pod that does not already tolerate the
 * NoExecute taints of a not-ready or unreachable node gets a toleration of each for 300
 * seconds, so it stays bound to a node that stops reporting for five minutes before it is
 * evicted. A toleration with no key (or no effect) already covers them.
 */
const TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];
const SECONDS = 300;

type Toleration = { key?: string; operator?: string; effect?: string; tolerationSeconds?: number };

export function addDefaultTolerations(pod: KObject): void {
  pod.spec ??= {};
  const spec = pod.spec as { tolerations?: Toleration[] | null };
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const added = TAINTS.filter(
    (taint) =>
      !tolerations.some(
        (t) => (t?.key === taint || !t?.key) && (t?.effect === 'NoExecute' || !t?.effect),
      ),
  ).map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: SECONDS }));
  if (added.length > 0) spec.tolerations = [...tolerations, ...added];
}
