import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { type ClusterEntry, DEFAULT_CLUSTER_NAME } from '../../config/index.ts';
import { CoxswainError } from '../../errors.ts';

/**
 * Access to the clusters the bot may touch: the current kubeconfig context (or the pod's
 * service account when it runs in a cluster), or named clusters from the config file, each by
 * context, kubeconfig file or in-cluster credentials. Clients are made on first use.
 */
export type ClusterSpec = ClusterEntry;

export type Cluster = {
  name: string;
  /** The API server's address, for messages; never credentials. */
  server: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
};

export function connect(spec: ClusterSpec): Cluster {
  const kc = new KubeConfig();
  try {
    if (spec.inCluster === true) kc.loadFromCluster();
    else if (spec.kubeconfig !== undefined) kc.loadFromFile(spec.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    const source =
      spec.inCluster === true
        ? 'in-cluster credentials'
        : (spec.kubeconfig ?? 'the default kubeconfig');
    throw new CoxswainError(
      'kubernetes_config',
      `cluster ${spec.name}: cannot load ${source}: ${loadFailure(error)}`,
      { cause: error },
    );
  }
  if (spec.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === spec.context)) {
      throw new CoxswainError(
        'kubernetes_config',
        `cluster ${spec.name}: the kubeconfig has no context "${spec.context}" (it has: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    }
    kc.setCurrentContext(spec.context);
  }
  const current = kc.getCurrentCluster();
  // With no kubeconfig anywhere and no service account, the library falls back to an
  // unauthenticated http://localhost:8080, which is never what a person meant.
  const fallback = current?.name === 'cluster' && current.server === 'http://localhost:8080';
  if (current === null || (fallback && spec.kubeconfig === undefined && spec.inCluster !== true)) {
    throw new CoxswainError(
      'kubernetes_config',
      `cluster ${spec.name}: no Kubernetes cluster is configured: set KUBECONFIG, create ~/.kube/config, or run inside a cluster`,
    );
  }
  return {
    name: spec.name,
    server: current.server,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

/** The configured clusters by name, each connected once, when first asked for. */
export class Clusters {
  readonly #specs: readonly ClusterSpec[];
  readonly #connected = new Map<string, Cluster>();

  constructor(specs: readonly ClusterSpec[]) {
    this.#specs = specs.length === 0 ? [{ name: DEFAULT_CLUSTER_NAME }] : specs;
  }

  get names(): string[] {
    return this.#specs.map((s) => s.name);
  }

  /** The named cluster, or the first configured one. */
  get(name?: string): Cluster {
    const spec = name === undefined ? this.#specs[0] : this.#specs.find((s) => s.name === name);
    if (spec === undefined) {
      throw new CoxswainError(
        'kubernetes_config',
        `no cluster named "${name}"; configured: ${this.names.join(', ')}`,
      );
    }
    let cluster = this.#connected.get(spec.name);
    if (cluster === undefined) {
      cluster = connect(spec);
      this.#connected.set(spec.name, cluster);
    }
    return cluster;
  }
}

/**
 * Why a kubeconfig could not be loaded, without the parser's excerpt of the file: a kubeconfig
 * holds tokens and keys, and this message may reach chat.
 */
function loadFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES') return 'permission denied';
  if (typeof code === 'string') return code;
  const line = /line (\d+)/i.exec((error as Error).message ?? '')?.[1];
  return `not a valid kubeconfig${line === undefined ? '' : ` (near line ${line})`}`;
}
