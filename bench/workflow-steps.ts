import type { Queue } from 'bullmq';
import type { RunView } from '../src/workflows/run-record.ts';
import { MessagesApi, text } from '../test/support/messages-api.ts';
import {
  finishedRun,
  quantile,
  sortedNumbers,
  startWorkflowBench,
  type WorkflowBench,
} from './workflow-support.ts';

/**
 * The engine's cost of a step: five sequential steps that do next to nothing, run by one
 * `coxswain worker`. Each step is a child job of the run's job, recorded running and then done
 * in Redis, and each finished step wakes the run's job to start the next. Printed per run, in
 * milliseconds per step: median and p95, one run at a time and ten at once, for `report` steps
 * (pure: no cluster, no model) and for agent steps whose model answers at once.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const AT_ONCE = Number(process.env.BENCH_AT_ONCE ?? 10);
const STEPS = ['one', 'two', 'three', 'four', 'five'];

const REPORTS = `
name: five-reports
trigger:
  - manual: true
steps:
${STEPS.map((name) => `  - name: ${name}\n    action: report`).join('\n')}
`;

const AGENTS = `
name: five-agents
trigger:
  - manual: true
steps:
${STEPS.map((name) => `  - name: ${name}\n    agent: k8s-diagnostician\n    task: Say that all is well.`).join('\n')}
`;

type Timing = { perStep: number; working: number; between: number };

export async function benchWorkflowSteps(): Promise<void> {
  const api = new MessagesApi();
  api.respond = () => ({ content: [text('All is well.')] });
  const baseUrl = await api.start();
  const bench = await startWorkflowBench('bench-workflow-steps', {
    'five-reports': REPORTS,
    'five-agents': AGENTS,
  });
  try {
    // Four slots, as these figures were first measured with: the overhead per step, not capacity.
    await bench.worker({
      ANTHROPIC_API_KEY: 'sk-ant-bench',
      ANTHROPIC_BASE_URL: baseUrl,
      WORKER_CONCURRENCY: '4',
    });
    console.log(
      '\n## workflows: overhead per step (5 sequential steps, one worker, concurrency 4)',
    );
    for (const [workflow, what] of [
      ['five-reports', 'report steps'],
      ['five-agents', 'agent steps, model answering at once'],
    ] as const) {
      // One run first, not counted: the worker's first run compiles its code paths.
      await timedRun(bench, workflow, 'warm-up');
      const calls = api.requests.length;
      for (const width of [1, AT_ONCE]) {
        const t0 = performance.now();
        const timings = await pool(RUNS, width, (i) => timedRun(bench, workflow, `${width}.${i}`));
        const seconds = (performance.now() - t0) / 1000;
        print(`${what}, ${width === 1 ? 'one run at a time' : `${width} runs at once`}`, timings);
        console.log(
          `  ${RUNS} runs in ${seconds.toFixed(1)} s = ${((RUNS * STEPS.length) / seconds).toFixed(0)} steps/s`,
        );
      }
      if (workflow === 'five-agents')
        console.log(
          `  model calls: ${api.requests.length - calls} for ${2 * RUNS * STEPS.length} steps`,
        );
    }
  } finally {
    await bench.close();
    await api.stop();
  }
}

/** Runs `total` tasks, at most `width` at a time. */
async function pool<T>(total: number, width: number, task: (i: number) => Promise<T>) {
  const results: T[] = [];
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const i = next++;
      results.push(await task(i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, total) }, lane));
  return results;
}

/**
 * One run, from its job's enqueue to the end the engine recorded: that time over the steps,
 * split into the time steps spent recorded as running (their child job queued, taken, worked)
 * and the time between one step's end and the next one's start (the run's job woken to plan).
 */
async function timedRun(bench: WorkflowBench, workflow: string, tag: string): Promise<Timing> {
  const runId = `${workflow}.${tag}`;
  const enqueued = Date.now();
  await enqueue(bench.runs, workflow, runId);
  const view = await finishedRun(bench.store, runId);
  if (view === undefined) throw new Error(`workflow run ${runId} did not finish within 60 s`);
  if (view.state !== 'succeeded')
    throw new Error(`workflow run ${runId} ended ${view.state}: ${view.summary}`);
  const total = Date.parse(view.finishedAt ?? '') - enqueued;
  return { perStep: total / STEPS.length, ...split(view) };
}

function split(view: RunView): { working: number; between: number } {
  const times = STEPS.map((name) => {
    const step = view.steps[name];
    if (step?.state !== 'succeeded')
      throw new Error(`step ${name} of ${view.run.runId} did not succeed`);
    return { start: Date.parse(step.startedAt ?? ''), end: Date.parse(step.finishedAt ?? '') };
  });
  let working = 0;
  let between = 0;
  times.forEach((t, i) => {
    working += t.end - t.start;
    const previous = times[i - 1];
    if (previous !== undefined) between += t.start - previous.end;
  });
  return { working: working / STEPS.length, between: between / (STEPS.length - 1) };
}

function enqueue(runs: Queue, workflow: string, runId: string) {
  return runs.add(
    'workflow',
    { kind: 'workflow', runId, workflow, trigger: 'manual', inputs: {}, requester: 'cli' },
    { jobId: `workflow.${runId}` },
  );
}

function print(label: string, timings: Timing[]) {
  const figure = (pick: (t: Timing) => number) => {
    const sorted = sortedNumbers(timings.map(pick));
    return `median ${quantile(sorted, 0.5).toFixed(1)}, p95 ${quantile(sorted, 0.95).toFixed(1)}`;
  };
  console.log(
    `${label}: ms per step ${figure((t) => t.perStep)}` +
      ` (a step recorded running: ${figure((t) => t.working)};` +
      ` from one step's end to the next one's start: ${figure((t) => t.between)})`,
  );
}
