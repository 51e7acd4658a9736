import type { Job, Queue } from 'bullmq';
import type { AgentRunJob, RunJobInput } from '../../queue/jobs.ts';
import { SuspendRun } from '../tool-use/run-agent.ts';
import type { Delegator, SpecialistResult } from './context.ts';
import { childRunId } from './inline-delegator.ts';

/**
 * Delegation on the runs queue: each specialist task is a child job of the orchestrator's job
 * (ids from the run and the tool call, so adding them again adds nothing). While any is
 * unfinished the orchestrator's job moves to waiting-children and gives up its worker slot; it
 * is processed again when they are done, resumes from its checkpoint, and collects the results.
 * A child that failed for good is reported as failed, not waited for.
 */
export function queueDelegator(
  job: Job,
  token: string | undefined,
  runs: Queue<RunJobInput>,
  parent: {
    runId: string;
    cluster: string;
    namespaces: readonly string[];
    maxTier: 'safe' | 'confirm';
  },
): Delegator {
  return async (callId, tasks) => {
    const children = tasks.map((task, i) => {
      const runId = childRunId(parent.runId, callId, i);
      const data: AgentRunJob = {
        kind: 'agent',
        runId,
        parentRunId: parent.runId,
        agent: task.agent,
        task: task.task,
        ...(task.model === undefined ? {} : { model: task.model }),
        cluster: parent.cluster,
        namespaces: [...parent.namespaces],
        maxTier: parent.maxTier,
      };
      return { jobId: `agent.${runId}`, data };
    });
    for (;;) {
      const values = (await job.getChildrenValues()) as Record<string, SpecialistResult>;
      const failures = await job.getIgnoredChildrenFailures();
      const byId = (jobId: string) =>
        Object.entries(values).find(([key]) => key.endsWith(`:${jobId}`))?.[1];
      const failedWith = (jobId: string) =>
        Object.entries(failures).find(([key]) => key.endsWith(`:${jobId}`))?.[1];
      const missing = children.filter(
        (c) => byId(c.jobId) === undefined && failedWith(c.jobId) === undefined,
      );
      if (missing.length === 0) {
        return children.map((c) => {
          const failure = failedWith(c.jobId);
          return (
            byId(c.jobId) ?? {
              agent: c.data.agent,
              runId: c.data.runId,
              answer: `(${c.data.agent} failed: ${failure ?? 'unknown error'})`,
              proposals: [],
              usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: 0 },
            }
          );
        });
      }
      for (const child of missing) {
        if ((await runs.getJob(child.jobId)) !== undefined) continue;
        await runs.add('agent', child.data, {
          jobId: child.jobId,
          parent: { id: job.id ?? '', queue: job.queueQualifiedName },
          ignoreDependencyOnFailure: true,
        });
      }
      if (await job.moveToWaitingChildren(token ?? '')) {
        throw new SuspendRun(`waiting for ${missing.map((c) => c.data.agent).join(', ')}`);
      }
    }
  };
}
