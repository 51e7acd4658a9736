import { DelayedError, type Job, WaitingChildrenError } from 'bullmq';
import type { Redis } from 'ioredis';
import { BUDGET_HELD_RETRY_MS, BudgetHeld } from '../agents/runs/budget.ts';
import type { EngineDeps } from '../agents/runs/process-runs.ts';
import { engineFor, lockOf, specialistResults } from '../agents/runs/process-runs.ts';
import { queueDelegator } from '../agents/runs/queue-delegator.ts';
import { SuspendRun } from '../agents/tool-use/run-agent.ts';
import type { Incidents } from '../alerts/incidents.ts';
import { postToChat } from '../chat/post-to-chat.ts';
import type { Route } from '../config/index.ts';
import type { Binding } from '../config/policy-schema.ts';
import type { Logger } from '../observability/logger.ts';
import { authorise } from '../policy/authorise.ts';
import type { WorkflowResumeJob, WorkflowRunJob, WorkflowStepJob } from '../queue/jobs.ts';
import { Lease } from '../queue/lease.ts';
import type { Queues } from '../queue/queues.ts';
import type { Clusters } from '../tools/kubernetes/cluster.ts';
import { advanceRun, type Executor, executeStep, type RunReporter } from '../workflows/advance.ts';
import { modelAgent, offlineAgent } from '../workflows/agent-step.ts';
import { gateOutcome, proposalGates } from '../workflows/gates.ts';
import { chatReporter, findingOf } from '../workflows/run-messages.ts';
import type { RunPlace, RunView } from '../workflows/run-record.ts';
import type { StepDeps } from '../workflows/run-step.ts';
import type { RedisRunStore } from '../workflows/run-store.ts';
import {
  alertRefusalPlace,
  namespaceRefusal,
  placeOf,
  runRecord,
  typedInputs,
} from '../workflows/start-run.ts';
import type { YamlWorkflow } from '../workflows/yaml-schema.ts';
import { recordDiagnosis } from './incident-reports.ts';

/**
 * Workflow runs on the runs queue. A run's job (started by a person, a schedule's tick or an
 * alert) records the run and advances it; each step is a child job of the job advancing it, so
 * the run waits for its steps holding no worker slot; a gate's decision queues a resume job that
 * advances the run again. One job advances a run at a time (a short lock); the others wait a
 * moment, or leave it to the job whose steps are still running.
 */
export type WorkflowJobDeps = {
  connection: Redis;
  prefix: string;
  store: RedisRunStore;
  /** The YAML workflows as the worker has them now. */
  workflows: () => ReadonlyMap<string, YamlWorkflow>;
  queues: Queues;
  routes: readonly Route[];
  bindings: readonly Binding[];
  clusters: Clusters;
  dashboardUrl: string | undefined;
  engine: EngineDeps;
  /** A run in an alert group's thread gives the group's incident its diagnosis. */
  incidents: Incidents;
  /**
   * How long the lock on advancing a run holds without renewal (WORKER_LOCK_SECONDS): a worker
   * that dies while advancing leaves the run to the next after about as long as its jobs' locks.
   */
  lockMs: number;
  log: Logger;
  now: () => Date;
};

type Outcome = { runId: string; state: string; note?: string };

/**
 * What a run says in chat; in an alert group's thread, the first step that finds something (an
 * agent's answer, a read's summary) is also the incident's diagnosis, timed when it finished.
 */
function reporterOf(deps: WorkflowJobDeps): RunReporter {
  const chat = chatReporter(deps.queues.outbox);
  return {
    ...chat,
    async stepDone(view, step, record) {
      await chat.stepDone(view, step, record);
      const found = findingOf(view, step);
      if (found === undefined) return;
      await recordDiagnosis(deps.incidents, view.run.place.threadKey, {
        text: found,
        by: `workflow ${view.run.workflow.name}`,
        runId: view.run.runId,
        at: deps.now(),
      });
    },
  };
}

/** This job's steps are done and the run's other steps belong to another job, which goes on. */
class LeftToOthers extends Error {}

export async function processWorkflowRun(
  job: Job,
  token: string | undefined,
  data: WorkflowRunJob,
  deps: WorkflowJobDeps,
): Promise<Outcome> {
  const runId = data.runId ?? `${data.workflow}.${(job.id ?? '').replace(/[^A-Za-z0-9_.-]/g, '.')}`;
  if ((await deps.store.load(runId)) === undefined) {
    const refusal = await createRun(runId, data, deps);
    if (refusal !== undefined) {
      deps.log.warn(
        { runId, workflow: data.workflow, reason: refusal.reason },
        'workflow not started',
      );
      await sayRefused(runId, data, refusal, deps);
      return { runId, state: 'refused', note: refusal.reason };
    }
  }
  return advance(job, token, runId, deps);
}

export function processWorkflowResume(
  job: Job,
  token: string | undefined,
  data: WorkflowResumeJob,
  deps: WorkflowJobDeps,
): Promise<Outcome> {
  return advance(job, token, data.runId, deps);
}

/**
 * Why a run did not start; `outOfScope` when the channel's binding does not reach what it is
 * about (an alert there is delivered and left alone, as the default investigation would).
 */
type Refusal = { reason: string; outOfScope?: boolean };

/**
 * Said where the run was asked for: the channel of a manual or command run, the alert group's
 * thread for an alert's run, unless the alert is outside what that channel's binding covers.
 */
async function sayRefused(
  runId: string,
  data: WorkflowRunJob,
  refusal: Refusal,
  deps: WorkflowJobDeps,
): Promise<void> {
  const thread =
    data.channel === undefined && refusal.outOfScope !== true
      ? alertRefusalPlace(data, deps)
      : undefined;
  const channel = data.channel ?? thread?.channel;
  if (channel === undefined) return;
  await postToChat(deps.queues.outbox, {
    kind: 'reply',
    key: [runId, 'refused'],
    channel,
    thread: data.thread,
    threadOf: thread?.threadKey,
    message: {
      headline: `I cannot run workflow ${data.workflow}`,
      text: refusal.reason,
      tone: 'warning',
    },
  });
}

/** Records the run, or says why it cannot start: its file is gone, an input, the binding. */
async function createRun(
  runId: string,
  data: WorkflowRunJob,
  deps: WorkflowJobDeps,
): Promise<Refusal | undefined> {
  const workflow = deps.workflows().get(data.workflow);
  if (workflow === undefined) return { reason: `there is no YAML workflow named ${data.workflow}` };
  if (!workflow.trigger.some((t) => t.kind === data.trigger))
    return { reason: `workflow ${data.workflow} has no ${data.trigger} trigger` };
  const inputs = typedInputs(workflow, data.inputs);
  if (!inputs.ok) return { reason: inputs.error };
  let defaultCluster: string;
  try {
    defaultCluster = deps.clusters.get().name;
  } catch (error) {
    return { reason: `no cluster to run it on: ${(error as Error).message}` };
  }
  const place = placeOf(data, { bindings: deps.bindings, routes: deps.routes, defaultCluster });
  if (typeof place === 'string') return { reason: place, outOfScope: data.trigger === 'alert' };
  const outside = namespaceRefusal(place, inputs.inputs, data);
  if (outside !== undefined) return { reason: outside, outOfScope: true };
  await deps.store.create(runRecord(workflow, data, runId, inputs.inputs, place, deps.now()));
  deps.log.info({ runId, workflow: data.workflow, trigger: data.trigger }, 'workflow started');
  return undefined;
}

async function advance(
  job: Job,
  token: string | undefined,
  runId: string,
  deps: WorkflowJobDeps,
): Promise<Outcome> {
  const lock = new Lease(
    deps.connection,
    `${deps.prefix}:workflow-run:${runId}:advancing`,
    deps.lockMs,
  );
  if (!(await lock.hold())) {
    await job.moveToDelayed(Date.now() + 500, token);
    throw new DelayedError();
  }
  // Renewed while this worker advances, so a pass longer than the lock keeps it; a dead worker
  // stops renewing and its lock lapses.
  let renewing: Promise<unknown> = Promise.resolve();
  const renewal = setInterval(() => {
    renewing = lock
      .hold()
      .catch((error: unknown) => deps.log.warn({ runId, err: error }, 'advance lock not renewed'));
  }, deps.lockMs / 3);
  try {
    const view = await advanceRun(runId, {
      store: deps.store,
      executor: queueExecutor(job, token, runId, deps),
      gateOutcome: (ids) => gateOutcome(deps.engine.proposals, ids),
      reporter: reporterOf(deps),
      now: deps.now,
    });
    return { runId, state: view?.state ?? 'missing' };
  } catch (error) {
    if (error instanceof LeftToOthers) return { runId, state: 'running', note: error.message };
    throw error;
  } finally {
    clearInterval(renewal);
    // A renewal still on its way would take the lock again after the release.
    await renewing;
    await lock.release();
  }
}

export function stepJobId(runId: string, step: string): string {
  return `workflow-step.${runId}.${step}`;
}

function queueExecutor(
  job: Job,
  token: string | undefined,
  runId: string,
  deps: WorkflowJobDeps,
): Executor {
  const runs = deps.queues.runs;
  const add = (step: string) =>
    runs.add(
      'workflow-step',
      { kind: 'workflow-step', runId, step },
      {
        jobId: stepJobId(runId, step),
        parent: { id: job.id ?? '', queue: job.queueQualifiedName },
        ignoreDependencyOnFailure: true,
      },
    );
  return {
    async start(steps) {
      for (const step of steps)
        if ((await runs.getJob(stepJobId(runId, step))) === undefined) await add(step);
    },
    async lost(running) {
      const lost: Record<string, string> = {};
      for (const step of running) {
        const child = await runs.getJob(stepJobId(runId, step));
        // Recorded as running by a job that died before queueing it: queued now.
        if (child === undefined) await add(step);
        else if ((await child.getState()) === 'failed')
          lost[step] = `its job failed: ${child.failedReason ?? 'unknown error'}`;
        else if ((await child.getState()) === 'completed')
          lost[step] = 'its job ended without recording an outcome';
      }
      return lost;
    },
    async wait() {
      if (await job.moveToWaitingChildren(token ?? '')) throw new WaitingChildrenError();
      // None of this job's own steps is unfinished: if another job's are, that job goes on.
      const view = await deps.store.load(runId);
      const theirs = Object.entries(view?.steps ?? {}).filter(([, r]) => r.state === 'running');
      for (const [step] of theirs) {
        const state = await (await runs.getJob(stepJobId(runId, step)))?.getState();
        if (state !== undefined && state !== 'completed' && state !== 'failed')
          throw new LeftToOthers(`step ${step} runs under another job`);
      }
    },
  };
}

/** One step of a run, as a child job; a specialist it delegates to is a child of this one. */
export async function processWorkflowStep(
  job: Job,
  token: string | undefined,
  data: WorkflowStepJob,
  deps: WorkflowJobDeps,
): Promise<{ runId: string; step: string; state: string }> {
  try {
    const record = await executeStep(data.runId, data.step, {
      store: deps.store,
      step: (view) => stepDeps(view, data.step, job, token, deps),
      reporter: reporterOf(deps),
      now: deps.now,
    });
    return { runId: data.runId, step: data.step, state: record?.state ?? 'missing' };
  } catch (error) {
    // An orchestrator step waits for its specialists without holding this worker slot.
    if (error instanceof SuspendRun) throw new WaitingChildrenError();
    if (error instanceof BudgetHeld) {
      await job.moveToDelayed(Date.now() + BUDGET_HELD_RETRY_MS, token);
      throw new DelayedError();
    }
    throw error;
  }
}

function stepDeps(
  view: RunView,
  step: string,
  job: Job,
  token: string | undefined,
  deps: WorkflowJobDeps,
): StepDeps {
  const place = currentPlace(view.run.place, deps.bindings);
  const kube = { cluster: deps.clusters.get(place.cluster), namespaces: place.namespaces };
  const engine = deps.engine;
  const lock = lockOf(job, token);
  const agent =
    engine.client === undefined
      ? offlineAgent({
          kube,
          proposals: engine.proposals.withLock(lock),
          autonomy: engine.autonomy,
          maxTier: place.maxTier,
          log: engine.log,
          git: engine.git,
          ...(engine.monitoring === undefined ? {} : { monitoring: engine.monitoring }),
        })
      : modelAgent(
          { ...engineFor(engine, engine.client, kube, place.maxTier, lock), client: engine.client },
          (runId) =>
            queueDelegator(job, token, engine.runs, {
              runId,
              cluster: place.cluster,
              namespaces: place.namespaces,
              maxTier: place.maxTier,
            }),
          () => specialistResults(job),
        );
  return {
    place,
    kube,
    git: engine.git,
    autonomy: engine.autonomy,
    agent: withinSpend(agent, place, engine),
    gates: proposalGates(view, step, {
      proposals: engine.proposals,
      outbox: deps.queues.outbox,
      autonomy: engine.autonomy,
      dashboardUrl: deps.dashboardUrl,
      actions: deps.queues.actions,
    }),
  };
}

/**
 * The run's place with its channel's binding as the config has it now: a run that waited at a
 * gate for an hour reads and proposes only what the channel may still touch. A channel no longer
 * bound to the run's cluster fails the step, saying so.
 */
function currentPlace(place: RunPlace, bindings: readonly Binding[]): RunPlace {
  if (place.channel === undefined) return place;
  const scope = authorise.stillBound(
    { channel: place.channel, cluster: place.cluster, namespaces: place.namespaces },
    { bindings },
  );
  if (!scope.allowed) throw new Error(scope.reason);
  return { ...place, namespaces: [...scope.namespaces], maxTier: scope.maxTier };
}

/**
 * An agent step counts against its channel's daily model budget, as a question there does: it
 * holds its run's limit when it starts (refused when the budget is spent or held by runs in
 * flight), and settles at what it cost when it ends.
 */
function withinSpend(
  agent: StepDeps['agent'],
  place: RunPlace,
  engine: EngineDeps,
): StepDeps['agent'] {
  const spend = engine.spend;
  const channel = place.channel;
  if (spend === undefined || channel === undefined || engine.client === undefined) return agent;
  return async (request) => {
    const held = await spend.ledger.reserve(
      channel,
      request.runId,
      engine.budget.maxCostUsd,
      spend.dailyLimitUsd,
    );
    if (!held.ok && held.spentUsd < spend.dailyLimitUsd) throw new BudgetHeld();
    if (!held.ok)
      throw new Error(
        `this channel has used its model budget for today ($${held.committedUsd.toFixed(2)} of $${spend.dailyLimitUsd.toFixed(2)}); it resets at midnight UTC`,
      );
    try {
      const answer = await agent(request);
      await spend.ledger.settle(channel, request.runId, answer.costUsd ?? 0);
      return answer;
    } catch (error) {
      // A step waiting for its specialists keeps its hold; a failed one drops it.
      if (!(error instanceof SuspendRun))
        await spend.ledger.settle(channel, request.runId, 0).catch(() => undefined);
      throw error;
    }
  };
}
