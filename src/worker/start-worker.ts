import { ChannelSpend } from '../agents/runs/budget.ts';
import { buildEngine } from '../agents/runs/build-engine.ts';
import { Conversations } from '../agents/runs/conversations.ts';
import type { EngineDeps } from '../agents/runs/process-runs.ts';
import { Checkpoints } from '../agents/tool-use/checkpoints.ts';
import { Incidents } from '../alerts/incidents.ts';
import { sweepExpired } from '../approvals/expire-proposals.ts';
import { ProposalStore } from '../approvals/proposal-store.ts';
import { AuditFiles } from '../audit/audit-files.ts';
import type { Config } from '../config/index.ts';
import { StatusStore } from '../dashboard/status-store.ts';
import { FeedbackStore } from '../feedback/feedback-store.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { SuspendSwitch } from '../policy/suspend.ts';
import { alertInboxKey } from '../queue/alert-inbox.ts';
import { createRedis } from '../queue/connection.ts';
import { startInboxMover } from '../queue/inbox-mover.ts';
import type { Resources } from '../runtime/resources.ts';
import { closeWorker } from '../runtime/shutdown.ts';
import type { GitRepository } from '../tools/git/repository.ts';
import { Clusters } from '../tools/kubernetes/cluster.ts';
import type { MetricsContext } from '../tools/metrics/context.ts';
import { RedisRunStore } from '../workflows/run-store.ts';
import { createActionsWorker } from './actions-worker.ts';
import { createRunsWorker } from './runs-worker.ts';
import { keepStatusFresh } from './status-snapshots.ts';
import { keepWorkflows } from './workflow-files.ts';
import type { WorkflowJobDeps } from './workflow-jobs.ts';

type WorkerRole = { stop(): Promise<void> };

/** The worker role: runs jobs from the runs and actions queues and posts what they say to the outbox. */
export async function startWorker(
  config: Config,
  resources: Resources,
  log: Logger,
  metrics: Metrics,
): Promise<WorkerRole> {
  const clusters = new Clusters(config.clusters);
  const proposals = new ProposalStore(resources.worker, config.redis.prefix);
  const suspension = new SuspendSwitch(resources.worker, config.redis.prefix);
  // Before anything starts: loading the model SDK is the one step here that waits.
  const engine = await workerEngine(config, resources, { clusters, proposals }, log, metrics);
  // The audit entries are written to Redis with the state changes; the files follow from there.
  const auditFiles = new AuditFiles(
    resources.worker,
    config.redis.prefix,
    config.audit.dir,
    log.child({ component: 'audit' }),
  ).start();
  const status = keepStatusFresh({
    clusters,
    store: new StatusStore(resources.worker, config.redis.prefix),
    redis: resources.worker,
    prefix: config.redis.prefix,
    log,
  });
  const { actions, sweeper } = approvals(
    config,
    resources,
    { clusters, proposals, suspension, git: engine.git, monitoring: engine.monitoring },
    log,
    metrics,
  );
  const workflowFiles = keepWorkflows(
    config.workflowsDir,
    config.autonomy,
    resources.workerQueues.runs,
    log.child({ component: 'workflows' }),
  );
  const workflows = workflowJobDeps(config, resources, { clusters, engine }, workflowFiles, log);
  const runs = createRunsWorker({
    connection: resources.worker,
    prefix: config.redis.prefix,
    queues: resources.workerQueues,
    routes: config.routes,
    clusterEntries: config.clusters,
    investigationWindowSeconds: config.investigationWindowSeconds,
    clusters,
    bindings: config.bindings,
    autonomy: config.autonomy,
    dashboardUrl: config.dashboard.publicUrl,
    suspension,
    feedback: new FeedbackStore(resources.worker, config.redis.prefix),
    engine,
    workflows,
    concurrency: config.worker.concurrency,
    lockMs: config.worker.lockMs,
    log,
    metrics,
  });
  const inbox = moveAlertInbox(config, resources, log);
  return {
    async stop() {
      sweeper.stop();
      workflowFiles.stop();
      await inbox.stop(config.shutdownTimeoutMs);
      await Promise.all([
        closeWorker(runs, config.shutdownTimeoutMs, log),
        closeWorker(actions, config.shutdownTimeoutMs, log),
        status.stop(),
      ]);
      await auditFiles.stop();
    },
  };
}

/** The webhook's notifications become jobs here, off the bot's one thread. */
function moveAlertInbox(config: Config, resources: Resources, log: Logger) {
  return startInboxMover({
    key: alertInboxKey(config.redis.prefix),
    reader: createRedis(config.redis, 'worker', log),
    redis: resources.worker,
    runs: resources.workerQueues.runs,
    log,
  });
}

/**
 * The engine as the worker runs it: checkpoints, conversations and spend in Redis, and metrics
 * of each model call.
 */
async function workerEngine(
  config: Config,
  resources: Resources,
  shared: { clusters: Clusters; proposals: ProposalStore },
  log: Logger,
  metrics: Metrics,
): Promise<EngineDeps> {
  return {
    ...(await buildEngine(config, log.child({ component: 'agents' }))),
    clusters: shared.clusters,
    checkpoints: new Checkpoints(resources.worker, config.redis.prefix),
    conversations: new Conversations(resources.worker, config.redis.prefix),
    proposals: shared.proposals,
    bindings: config.bindings,
    spend: {
      ledger: new ChannelSpend(resources.worker, config.redis.prefix),
      dailyLimitUsd: config.budgets.channelDailyCostUsd,
    },
    onUsage: (agent, tokens, cost) => {
      metrics.modelCalls.inc({ agent });
      metrics.modelCost.inc({ agent }, cost);
      metrics.modelTokens.inc({ agent, kind: 'input' }, tokens.input);
      metrics.modelTokens.inc({ agent, kind: 'output' }, tokens.output);
      metrics.modelTokens.inc({ agent, kind: 'cache_read' }, tokens.cacheRead);
      metrics.modelTokens.inc({ agent, kind: 'cache_write' }, tokens.cacheWrite);
    },
    onBudgetStop: (agent, budget) => metrics.budgetStops.inc({ agent, budget }),
    runs: resources.workerQueues.runs,
  };
}

/** What the workflow jobs run with: the run store, the files as last read, and the engine. */
function workflowJobDeps(
  config: Config,
  resources: Resources,
  shared: { clusters: Clusters; engine: EngineDeps },
  files: ReturnType<typeof keepWorkflows>,
  log: Logger,
): WorkflowJobDeps {
  return {
    connection: resources.worker,
    prefix: config.redis.prefix,
    store: new RedisRunStore(resources.worker, config.redis.prefix),
    workflows: files.current,
    queues: resources.workerQueues,
    routes: config.routes,
    bindings: config.bindings,
    clusters: shared.clusters,
    dashboardUrl: config.dashboard.publicUrl,
    engine: shared.engine,
    incidents: new Incidents(resources.worker, config.redis.prefix),
    lockMs: config.worker.lockMs,
    log: log.child({ component: 'workflows' }),
    now: () => new Date(),
  };
}

/** The approvals' side of a worker: approved changes executed, and undecided cards expired. */
function approvals(
  config: Config,
  resources: Resources,
  shared: {
    clusters: Clusters;
    proposals: ProposalStore;
    suspension: SuspendSwitch;
    /** The engine's clone of the GitOps repository: one clone, its git work one at a time. */
    git: GitRepository | undefined;
    monitoring: MetricsContext | undefined;
  },
  log: Logger,
  metrics: Metrics,
) {
  const actions = createActionsWorker({
    git: shared.git,
    monitoring: shared.monitoring,
    connection: resources.worker,
    prefix: config.redis.prefix,
    lockMs: config.worker.lockMs,
    proposals: shared.proposals,
    clusters: shared.clusters,
    bindings: config.bindings,
    people: config.people,
    autonomy: config.autonomy,
    dashboardUrl: config.dashboard.publicUrl,
    outbox: resources.workerQueues.outbox,
    runs: resources.workerQueues.runs,
    log: log.child({ component: 'actions' }),
    metrics,
    suspension: shared.suspension,
  });
  const sweeper = sweepExpired({
    proposals: shared.proposals,
    outbox: resources.workerQueues.outbox,
    autonomy: config.autonomy,
    dashboardUrl: config.dashboard.publicUrl,
    log: log.child({ component: 'approvals' }),
    // A workflow run waiting on an expired card is told, and stops.
    runs: resources.workerQueues.runs,
    bindings: config.bindings,
  });
  return { actions, sweeper };
}
