import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type EngineDeps, processAgentRun } from '../agents/runs/process-runs.ts';
import { AlertGroups } from '../alerts/alert-groups.ts';
import { processAlertRun } from '../alerts/alert-run.ts';
import { Incidents } from '../alerts/incidents.ts';
import { Investigations } from '../alerts/investigations.ts';
import type { ClusterEntry, Route } from '../config/index.ts';
import type { Autonomy, Binding } from '../config/policy-schema.ts';
import type { FeedbackStore } from '../feedback/feedback-store.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SuspendSwitch } from '../policy/suspend.ts';
import { instrumentWorker } from '../queue/instrument-worker.ts';
import { openJob } from '../queue/job-context.ts';
import { type AlertRunJob, RunJob } from '../queue/jobs.ts';
import type { Queues } from '../queue/queues.ts';
import type { Clusters } from '../tools/kubernetes/cluster.ts';
import { startInvestigations } from './alert-investigations.ts';
import { processCommandRun } from './answer-command.ts';
import { processAskRun } from './answer-question.ts';
import { reportIncident } from './incident-reports.ts';
import {
  processWorkflowResume,
  processWorkflowRun,
  processWorkflowStep,
  type WorkflowJobDeps,
} from './workflow-jobs.ts';

type RunsWorkerDeps = {
  connection: Redis;
  prefix: string;
  queues: Queues;
  routes: readonly Route[];
  /** The clusters as configured, for each one's default alert channel. */
  clusterEntries: readonly ClusterEntry[];
  /** How long an investigation of a subject takes in the alerts about it that come after. */
  investigationWindowSeconds: number;
  clusters: Clusters;
  bindings: readonly Binding[];
  autonomy: Autonomy;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
  suspension: SuspendSwitch;
  /** Snapshots of answers and reports posted with 👍 / 👎, for the feedback they get. */
  feedback: FeedbackStore;
  engine: EngineDeps;
  workflows: WorkflowJobDeps;
  concurrency: number;
  /** Lock lifetime; a dead worker's jobs are taken over after it. */
  lockMs?: number;
  log: Logger;
  metrics: Metrics;
  now?: () => Date;
};

/** The worker's consumer of the runs queue: validates each job and hands it to its kind's runner. */
export function createRunsWorker(deps: RunsWorkerDeps): Worker<RunJob> {
  const now = deps.now ?? (() => new Date());
  const groups = new AlertGroups(deps.connection, deps.prefix);
  const incidents = new Incidents(deps.connection, deps.prefix);
  const investigations = new Investigations(deps.connection, deps.prefix);
  const worker = new Worker<RunJob>(
    'runs',
    async (job: Job<RunJob>, token?: string) => {
      const { data: run, log } = openJob(job, RunJob, deps.log);
      switch (run.kind) {
        case 'alert':
          return processAlert(run, job.id ?? job.name, log, {
            ...deps,
            groups,
            incidents,
            investigations,
            now,
          });
        case 'command': {
          const result = await processCommandRun(run, job.id ?? job.name, {
            outbox: deps.queues.outbox,
            clusters: deps.clusters,
            bindings: deps.bindings,
            autonomy: deps.autonomy,
            dashboardUrl: deps.dashboardUrl,
            proposals: deps.engine.proposals,
            suspension: deps.suspension,
            git: deps.engine.git,
          });
          log.info({ channel: run.channel, command: run.command.name }, 'command answered');
          return result;
        }
        case 'ask': {
          const result = await processAskRun(job, token, run, {
            ...deps.engine,
            outbox: deps.queues.outbox,
            incidents,
            dashboardUrl: deps.dashboardUrl,
            feedback: deps.feedback,
          });
          log.info(
            { runId: run.runId, specialists: result.specialists, costUsd: result.costUsd },
            'question answered',
          );
          return result;
        }
        case 'workflow':
          return processWorkflowRun(job, token, run, deps.workflows);
        case 'workflow-step':
          return processWorkflowStep(job, token, run, deps.workflows);
        case 'workflow-resume':
          return processWorkflowResume(job, token, run, deps.workflows);
        case 'agent': {
          const result = await processAgentRun(job, token, run, deps.engine);
          log.info(
            { runId: run.runId, agent: run.agent, proposals: result.proposals.length },
            'specialist finished',
          );
          return result;
        }
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      lockDuration: deps.lockMs ?? 30_000,
      stalledInterval: deps.lockMs ?? 30_000,
      // A run killed with its worker resumes from its checkpoint; allow a few such deaths.
      maxStalledCount: 3,
    },
  );
  instrumentWorker(worker, 'runs', deps.log, deps.metrics);
  return worker;
}

/**
 * An alert notification: its group's message in each routed channel, the report of the incident it
 * resolves, and the investigations it starts.
 */
async function processAlert(
  run: AlertRunJob,
  jobId: string,
  log: Logger,
  deps: RunsWorkerDeps & {
    groups: AlertGroups;
    incidents: Incidents;
    investigations: Investigations;
    now: () => Date;
  },
) {
  const result = await processAlertRun(run, jobId, {
    outbox: deps.queues.outbox,
    routes: deps.routes,
    clusters: deps.clusterEntries,
    groups: deps.groups,
    incidents: deps.incidents,
    bindings: deps.bindings,
    autonomy: deps.autonomy,
    alertmanager: deps.engine.monitoring?.alertmanagerUrl !== undefined,
    now: deps.now,
  });
  log.info({ groupKey: run.payload.groupKey, channels: result.channels }, 'alert rendered');
  if (result.incident.kind === 'closed') {
    await deps.investigations.release(result.incident.incident.threadKey);
    await reportIncident(result.incident.incident, {
      incidents: deps.incidents,
      bindings: deps.bindings,
      feedback: deps.feedback,
      proposals: deps.engine.proposals,
      outbox: deps.queues.outbox,
      log,
    });
  }
  const observed = result.incident;
  const started = await startInvestigations(
    run,
    deps,
    observed.kind === 'opened' || observed.kind === 'ongoing' ? observed.incident.id : undefined,
  );
  return { ...result, incident: result.incident.kind, workflows: started };
}
