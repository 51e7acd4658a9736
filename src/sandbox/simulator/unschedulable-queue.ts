import type { KObject } from '../api/store.ts';
import type { NodeLoad } from './scheduler.ts';

/**
 * The scheduler's queue of pods that did not fit. As with the real scheduler, such a pod is tried
 * again when the cluster changed in a way that could make room (a node changed, or pods came or
 * went), and at least once a minute; a thousand pods that cannot fit then cost nothing while the
 * cluster stands still.
 */
const RETRY_MS = 60_000;

export class UnschedulableQueue {
  readonly #parked = new Map<string, { cluster: string; until: number }>();

  /** What pods are placed against: every node as it is, and how many pods are bound. */
  static clusterOf(nodes: readonly KObject[], load: NodeLoad): string {
    let bound = 0;
    for (const used of load.values()) bound += used.pods;
    return `${nodes.map((n) => n.metadata.resourceVersion).join(',')}|${bound}`;
  }

  /** Whether the pod is to be tried now. */
  due(uid: string, cluster: string, now: number): boolean {
    const parked = this.#parked.get(uid);
    return parked === undefined || parked.cluster !== cluster || now >= parked.until;
  }

  park(uid: string, cluster: string, now: number): void {
    this.#parked.set(uid, { cluster, until: now + RETRY_MS });
  }

  /** Forgets the pods that are bound or gone. */
  keepOnly(waiting: ReadonlySet<string>): void {
    for (const uid of this.#parked.keys()) if (!waiting.has(uid)) this.#parked.delete(uid);
  }
}
