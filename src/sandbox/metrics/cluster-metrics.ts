import { findResource, type ResourceType } from '../api/catalog.ts';
import type { Simulator } from '../simulator/simulator.ts';
import { ContainerMetrics } from './container-metrics.ts';
import { Exposition } from './exposition.ts';
import { writePodMetrics } from './pod-state-metrics.ts';
import { writeNodeMetrics, writeWorkloadMetrics } from './workload-state-metrics.ts';

/**
 * The sandbox cluster's state as a Prometheus scrape: kube-state-metrics' families for pods,
 * workloads and nodes, and cAdvisor's for the containers' CPU and memory, in one exposition.
 * It reads the store's shared views, so a scrape of thousands of pods copies no object.
 */
const type = (group: string, plural: string): ResourceType => {
  const found = findResource(group, 'v1', plural);
  if (found === undefined) throw new Error(`the sandbox catalog lacks ${plural}`);
  return found;
};
const PODS = type('', 'pods');
const NODES = type('', 'nodes');
const DEPLOYMENTS = type('apps', 'deployments');
const STATEFULSETS = type('apps', 'statefulsets');
const DAEMONSETS = type('apps', 'daemonsets');

/** What a scrape reads of the simulator: its store, brought up to now, and containers' usage. */
export type MetricsSource = Pick<Simulator, 'store' | 'catchUp' | 'usage'>;

export class ClusterMetrics {
  readonly #simulator: MetricsSource;
  readonly #containers = new ContainerMetrics();

  constructor(simulator: MetricsSource) {
    this.#simulator = simulator;
  }

  /** The exposition of the world as it stands now (brought up to now first). */
  render(): string {
    this.#simulator.catchUp();
    const store = this.#simulator.store;
    const out = new Exposition();
    const pods = store.view(PODS);
    writePodMetrics(out, pods);
    writeWorkloadMetrics(out, {
      deployments: store.view(DEPLOYMENTS),
      statefulsets: store.view(STATEFULSETS),
      daemonsets: store.view(DAEMONSETS),
    });
    writeNodeMetrics(out, store.view(NODES));
    this.#containers.write(out, pods, (pod) => this.#simulator.usage(pod), store.now().getTime());
    return out.text();
  }
}
