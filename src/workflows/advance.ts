import { redactText } from '../policy/redact.ts';
import { nextMoves } from './plan.ts';
import type { RunView, StepRecord, StepWork } from './run-record.ts';
import { runStep, type StepDeps, type StepOutcome } from './run-step.ts';
import type { RunStore } from './run-store.ts';
import { decideStep } from './step-work.ts';
import type { YamlStep } from './yaml-schema.ts';

/**
 * The engine: a run advances from its records alone, so any worker can take it up after a crash.
 * Each pass settles the gates that were decided and the steps whose job died, then starts what
 * `nextMoves` says (the step's branch and templates decided as it starts), and either waits for
 * the steps running (without a worker slot, as child jobs), parks the run until a gate is decided,
 * or ends it. A step's work runs in `executeStep`, which records its outcome once.
 */
export type Executor = {
  /** Starts each step (a child job, or a promise in this process); starting one twice is one. */
  start(steps: readonly string[]): Promise<void>;
  /** Steps recorded as running whose work ended without recording it: each with why. */
  lost(running: readonly string[]): Promise<Record<string, string>>;
  /** Until some running step finishes: in a job, by giving up its slot (it throws). */
  wait(): Promise<void>;
};

/** What became of a gate's proposals; undefined while any is undecided. */
export type GateOutcome =
  | { state: 'succeeded'; outputs: Record<string, unknown>; text: string }
  | { state: 'failed'; error: string }
  | { state: 'stopped'; reason: string };

export type RunReporter = {
  /** The run's status, after steps start or finish. */
  progress(view: RunView): Promise<void>;
  /** A step's result people read (an agent's answer, a report). */
  stepDone(view: RunView, step: string, record: StepRecord): Promise<void>;
  /** The run's end. */
  finished(view: RunView): Promise<void>;
};

export type AdvanceDeps = {
  store: RunStore;
  executor: Executor;
  gateOutcome(proposals: readonly string[]): Promise<GateOutcome | undefined>;
  reporter: RunReporter;
  now?: () => Date;
};

const MAX_PASSES = 1_000;

export async function advanceRun(runId: string, deps: AdvanceDeps): Promise<RunView | undefined> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let view = await deps.store.load(runId);
    if (view === undefined || isOver(view)) return view;
    if (await settle(view, deps, now)) view = (await deps.store.load(runId)) ?? view;
    const steps = view.run.workflow.steps;
    const moves = nextMoves(steps, view.steps);
    for (const { step, reason } of moves.skip)
      await deps.store.setStep(runId, step, ['pending'], {
        state: 'skipped',
        reason,
        finishedAt: now(),
      });
    const started = await startSteps(view, moves.start, deps, now);
    if (moves.outcome !== undefined) {
      const ended = { summary: moves.outcome.summary, finishedAt: now() };
      const final = (await deps.store.load(runId)) ?? view;
      await deps.reporter.finished({ ...final, state: moves.outcome.state, ...ended });
      await deps.store.setState(runId, ['running', 'waiting'], moves.outcome.state, ended);
      return deps.store.load(runId);
    }
    if (started.jobs.length > 0) await deps.executor.start(started.jobs);
    if (started.decided) continue;
    const current = (await deps.store.load(runId)) ?? view;
    const running = Object.values(current.steps).some((s) => s.state === 'running');
    // Running while any step runs; waiting (for a decision, without a worker) once only gates are left.
    const state = running ? 'running' : 'waiting';
    if (current.state !== state) await deps.store.setState(runId, [current.state], state);
    await deps.reporter.progress({ ...current, state });
    if (running) {
      await deps.executor.wait();
      continue;
    }
    if (Object.values(current.steps).some((s) => s.state === 'waiting'))
      return deps.store.load(runId);
  }
  throw new Error(`workflow run ${runId} did not settle in ${MAX_PASSES} passes`);
}

function isOver(view: RunView): boolean {
  return view.state === 'succeeded' || view.state === 'failed' || view.state === 'stopped';
}

/** Gates decided and steps whose job died: recorded. True when anything changed. */
async function settle(view: RunView, deps: AdvanceDeps, now: () => string): Promise<boolean> {
  let changed = false;
  const runId = view.run.runId;
  for (const [name, record] of Object.entries(view.steps)) {
    if (record.state !== 'waiting') continue;
    const outcome = await deps.gateOutcome(record.proposals);
    if (outcome === undefined) continue;
    const times = { startedAt: record.startedAt, finishedAt: now() };
    const next: StepRecord =
      outcome.state === 'succeeded'
        ? {
            state: 'succeeded',
            ...times,
            ...(record.branch === undefined ? {} : { branch: record.branch }),
            outputs: { ...record.outputs, ...outcome.outputs },
            text: [record.text, outcome.text].filter(Boolean).join('\n\n'),
            proposals: record.proposals,
          }
        : outcome.state === 'failed'
          ? { state: 'failed', ...times, error: outcome.error }
          : { state: 'stopped', ...times, reason: outcome.reason };
    if (await deps.store.setStep(runId, name, ['waiting'], next)) {
      changed = true;
      await deps.reporter.stepDone({ ...view, steps: { ...view.steps, [name]: next } }, name, next);
    }
  }
  const running = Object.entries(view.steps)
    .filter(([, record]) => record.state === 'running')
    .map(([name]) => name);
  if (running.length === 0) return changed;
  for (const [name, error] of Object.entries(await deps.executor.lost(running))) {
    const failed: StepRecord = { state: 'failed', finishedAt: now(), error };
    if (await deps.store.setStep(runId, name, ['running'], failed)) changed = true;
  }
  return changed;
}

/**
 * Each step to start, decided now: skipped when its condition is false, failed when a template
 * cannot be rendered, else recorded as running with its work, for the executor to start.
 * `decided` is true when some step finished here, so the plan must be made again.
 */
async function startSteps(
  view: RunView,
  names: readonly string[],
  deps: AdvanceDeps,
  now: () => string,
): Promise<{ jobs: string[]; decided: boolean }> {
  const jobs: string[] = [];
  let decided = false;
  for (const name of names) {
    const step = view.run.workflow.steps.find((s) => s.name === name);
    if (step === undefined) continue;
    const decision = decideStep(step, view);
    const record: StepRecord =
      decision.kind === 'skip'
        ? { state: 'skipped', reason: decision.reason, finishedAt: now() }
        : decision.kind === 'error'
          ? { state: 'failed', error: decision.error, finishedAt: now() }
          : {
              state: 'running',
              startedAt: now(),
              work: decision.work,
              ...(decision.branch === undefined ? {} : { branch: decision.branch }),
            };
    const moved = await deps.store.setStep(view.run.runId, name, ['pending'], record);
    if (record.state === 'running') jobs.push(name);
    else if (moved) decided = true;
  }
  return { jobs, decided };
}

/**
 * A step's work, run once it is recorded as running; its outcome is recorded from running only,
 * so a step retried after its worker died, whose outcome was recorded, records nothing twice.
 */
export async function executeStep(
  runId: string,
  name: string,
  deps: {
    store: RunStore;
    /** What the step runs with, which may depend on the run (its place, its gates). */
    step: (view: RunView, step: string) => StepDeps;
    reporter: RunReporter;
    now?: () => Date;
  },
): Promise<StepRecord | undefined> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const view = await deps.store.load(runId);
  const record = view?.steps[name];
  const step = view?.run.workflow.steps.find((s) => s.name === name);
  if (view === undefined || step === undefined || record?.state !== 'running') return record;
  const outcome = await stepOutcome(view, step, record.work, deps.step);
  const branch = record.branch === undefined ? {} : { branch: record.branch };
  const times = { startedAt: record.startedAt, finishedAt: now() };
  const next: StepRecord =
    outcome.state === 'waiting'
      ? { ...outcome, startedAt: record.startedAt, work: record.work, ...branch }
      : outcome.state === 'succeeded'
        ? { ...outcome, ...times, ...branch }
        : { ...outcome, ...times };
  if (await deps.store.setStep(runId, name, ['running'], next))
    await deps.reporter.stepDone({ ...view, steps: { ...view.steps, [name]: next } }, name, next);
  return next;
}

/**
 * The step's work with what it runs with. A cluster that cannot be reached at all (no
 * kubeconfig, a context that is not there) fails the step, said in its record, rather than
 * failing its job until the job gives up.
 */
async function stepOutcome(
  view: RunView,
  step: YamlStep,
  work: StepWork,
  build: (view: RunView, step: string) => StepDeps,
): Promise<StepOutcome> {
  let deps: StepDeps;
  try {
    deps = build(view, step.name);
  } catch (error) {
    return {
      state: 'failed',
      error: redactText(error instanceof Error ? error.message : String(error)),
    };
  }
  return runStep(view, step, work, deps);
}
