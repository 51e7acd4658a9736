import { DelayedError, type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  type ExecuteDeps,
  executeProposal,
  markFailed,
  WritesSuspendedError,
} from '../approvals/execute-proposal.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { instrumentWorker } from '../queue/instrument-worker.ts';
import { openJob } from '../queue/job-context.ts';
import { ActionJob } from '../queue/jobs.ts';

/** How often a held action looks whether writes are back on. */
const SUSPENDED_RETRY_MS = 1_000;

/**
 * The worker's consumer of the actions queue: approved proposals, each once. A job whose worker
 * died is taken over after the lock lapses and looks before it writes (`executeProposal`).
 * While writes are suspended, every action waits (delayed, its attempts kept) and runs once they
 * are resumed.
 */
export function createActionsWorker(
  deps: ExecuteDeps & {
    connection: Redis;
    prefix: string;
    lockMs?: number;
    metrics: Metrics;
    log: Logger;
  },
): Worker<ActionJob> {
  const worker = new Worker<ActionJob>(
    'actions',
    async (job: Job<ActionJob>, token?: string) => {
      const { data, log } = openJob(job, ActionJob, deps.log);
      const hold = async () => {
        log.debug({ proposalId: data.proposalId }, 'action held: writes are suspended');
        await job.moveToDelayed(Date.now() + SUSPENDED_RETRY_MS, token);
        throw new DelayedError();
      };
      if ((await deps.suspension.state()) !== undefined) return hold();
      const result = await executeProposal(data.proposalId, { ...deps, log }).catch(
        (error: unknown) => {
          if (error instanceof WritesSuspendedError) return hold();
          throw error;
        },
      );
      log.info({ proposalId: data.proposalId, state: result.state }, 'action finished');
      return result;
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      // Approved changes to the cluster, few by design: a person approved each one, and each
      // writes and then waits on its outcome (a rollout). Two per worker keeps writes to a
      // handful across replicas while agent runs, which only wait on the model and read, take
      // WORKER_CONCURRENCY slots of their own on the runs queue.
      concurrency: 2,
      lockDuration: deps.lockMs ?? 30_000,
      stalledInterval: deps.lockMs ?? 30_000,
      maxStalledCount: 3,
    },
  );
  instrumentWorker(worker, 'actions', deps.log, deps.metrics);
  worker.on('failed', (job, error) => {
    if (job === undefined || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const id = (job.data as { proposalId?: unknown }).proposalId;
    if (typeof id !== 'string') return;
    markFailed(id, error.message, deps).catch((cause: unknown) =>
      deps.log.error({ err: cause, proposalId: id }, 'failed proposal not recorded as failed'),
    );
  });
  return worker;
}
