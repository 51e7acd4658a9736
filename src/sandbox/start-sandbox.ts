import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { DenyRule } from './api/access.ts';
import { admit } from './api/admission.ts';
import { SandboxApiServer } from './api/api-server.ts';
import { findKind } from './api/catalog.ts';
import { applyDefaults } from './api/defaults.ts';
import { ApiError, type KObject, ObjectStore } from './api/store.ts';
import { type MetricsServer, serveMetrics } from './metrics/metrics-server.ts';
import { baseScenario, durationSeconds, loadScenario, type Scenario } from './scenario.ts';
import type { SandboxRepository } from './simulator/argocd/git-repository.ts';
import { interpret } from './simulator/container-command.ts';
import { Simulator } from './simulator/simulator.ts';
import { commitStep, patchStep, repositoryFor, withRepository } from './timeline-steps.ts';

export type SandboxOptions = {
  scenarios: readonly string[];
  port?: number;
  host?: string;
  /** Serve metrics.k8s.io; off is a cluster without metrics-server. */
  metrics?: boolean;
  /** Also serve the cluster's state for Prometheus at `/metrics` on this port (0: any free one). */
  metricsPort?: number;
  deny?: DenyRule[];
  /** URLs (a forge's `https://` one) Applications may also name the GitOps repository by. */
  gitopsAliases?: readonly string[];
  onRequest?: (method: string, path: string, dryRun: boolean, watch: boolean) => void;
};

export type Sandbox = {
  url: string;
  simulator: Simulator;
  /** A kubeconfig (YAML) whose current context is the sandbox. */
  kubeconfig: string;
  /** The Prometheus scrape URL, when `metricsPort` asked for one. */
  metricsUrl: string | undefined;
  /**
   * The GitOps repository Argo CD's simulated controller reads, when a scenario uses one: its
   * `file://` URL (clone it, push to it) and a way to commit to its `main` branch directly.
   */
  gitops: GitOps | undefined;
  writeKubeconfig(path: string): void;
  /** The watches clients hold open now. */
  openWatches(): number;
  /** The followed logs (`kubectl logs -f`) clients hold open now. */
  openLogStreams(): number;
  close(): Promise<void>;
};

export type GitOps = {
  url: string;
  /** Commits files (`null` removes one) on `main`; returns the commit's id. */
  commit(files: Record<string, string | null>, message: string): string;
};

const SANDBOX_CONTEXT = 'coxswain-sandbox';

/**
 * Builds the world of the chosen scenarios (their timelines played from the past up to now),
 * then serves it in real time on 127.0.0.1.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const chosen = options.scenarios.map(loadScenario);
  const scenarios = [withoutOmitted(baseScenario(), chosen), ...chosen];
  const store = new ObjectStore();
  const simulator = new Simulator(store);
  for (const scenario of scenarios) simulator.addImages(scenario.images);
  const repository = repositoryFor(scenarios);
  repository?.alsoKnownAs(options.gitopsAliases ?? []);
  if (repository !== undefined) simulator.serveRepository(repository);
  try {
    playTimeline(simulator, scenarios, repository);
  } catch (error) {
    repository?.close();
    throw error;
  }
  simulator.start();

  const server = new SandboxApiServer({
    simulator,
    metrics: options.metrics ?? true,
    standIn: (argv) => interpret(argv),
    ...(options.deny === undefined ? {} : { deny: options.deny }),
    ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
  });
  const url = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const kubeconfig = kubeconfigFor(url);
  let exporter: MetricsServer | undefined;
  if (options.metricsPort !== undefined) {
    try {
      exporter = await serveMetrics(simulator, options.metricsPort, options.host ?? '127.0.0.1');
    } catch (error) {
      simulator.stop();
      await server.close();
      repository?.close();
      throw error;
    }
  }
  return {
    url,
    simulator,
    kubeconfig,
    metricsUrl: exporter?.url,
    gitops: repository === undefined ? undefined : gitopsOf(repository, simulator),
    writeKubeconfig: (path) => writeFileSync(path, kubeconfig, { mode: 0o600 }),
    openWatches: () => server.openWatches,
    openLogStreams: () => server.openLogStreams,
    close: async () => {
      simulator.stop();
      await Promise.all([server.close(), exporter?.close()]);
      repository?.close();
    },
  };
}

function gitopsOf(repository: SandboxRepository, simulator: Simulator): GitOps {
  return {
    url: repository.url,
    commit: (files, message) => {
      const commit = repository.commit(files, message, new Date());
      simulator.reconcile();
      return commit;
    },
  };
}

/** The base cluster less what the chosen scenarios omit from it. */
function withoutOmitted(base: Scenario, chosen: Scenario[]): Scenario {
  const omitted = new Set(chosen.flatMap((s) => s.omit));
  if (omitted.size === 0) return base;
  const kept = (object: Record<string, unknown>) => {
    const meta = object.metadata as { name?: string } | undefined;
    return !omitted.has(`${String(object.kind)}/${meta?.name ?? ''}`);
  };
  return {
    ...base,
    timeline: base.timeline.map((step) => ({ ...step, apply: step.apply.filter(kept) })),
  };
}

function playTimeline(
  simulator: Simulator,
  scenarios: Scenario[],
  repository: SandboxRepository | undefined,
): void {
  const start = Date.now();
  const steps = scenarios
    .flatMap((s) =>
      s.timeline.map((step) => ({ ...step, offset: durationSeconds(step.at) * 1000 })),
    )
    .sort((a, b) => a.offset - b.offset);
  const clock = { at: start + (steps[0]?.offset ?? 0) };
  for (const step of steps) {
    simulator.advanceTo(start + step.offset, clock);
    if (step.commit !== undefined && repository !== undefined)
      commitStep(repository, step.commit, new Date(clock.at));
    for (const object of step.apply)
      apply(simulator, withRepository(object as KObject, repository));
    for (const patch of step.patch) patchStep(simulator, patch);
  }
  simulator.advanceTo(Math.max(Date.now(), clock.at), clock);
}

function apply(simulator: Simulator, input: KObject): void {
  const object = applyDefaults(structuredClone(input));
  const type = findKind(object.apiVersion, object.kind);
  if (type === undefined)
    throw new Error(`the sandbox does not serve ${object.apiVersion} ${object.kind}`);
  const store = simulator.store;
  const existing = store.get(type, object.metadata.namespace, object.metadata.name);
  try {
    if (existing === undefined) {
      admit(store, type, object);
      store.create(type, object);
    } else {
      const next = {
        ...object,
        status: existing.status,
        metadata: { ...existing.metadata, ...object.metadata },
      };
      admit(store, type, next, existing);
      store.replace(type, next);
    }
  } catch (error) {
    const reason = error instanceof ApiError ? error.message : String(error);
    throw new Error(`scenario object ${object.kind} ${object.metadata.name}: ${reason}`);
  }
  simulator.reconcile();
}

export function kubeconfigFor(url: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // Plain HTTP on loopback: the client library only allows it with TLS verification off.
    clusters: [
      { name: SANDBOX_CONTEXT, cluster: { server: url, 'insecure-skip-tls-verify': true } },
    ],
    users: [{ name: SANDBOX_CONTEXT, user: {} }],
    contexts: [
      {
        name: SANDBOX_CONTEXT,
        context: { cluster: SANDBOX_CONTEXT, user: SANDBOX_CONTEXT, namespace: 'default' },
      },
    ],
    'current-context': SANDBOX_CONTEXT,
    preferences: {},
  });
}
