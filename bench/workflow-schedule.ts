import type { Queue } from 'bullmq';
import { loadWorkflowFiles } from '../src/workflows/load-files.ts';
import type { RunView } from '../src/workflows/run-record.ts';
import { syncSchedules } from '../src/workflows/triggers.ts';
import { sleep } from './support.ts';
import { quantile, sortedNumbers, startWorkflowBench } from './workflow-support.ts';

/**
 * A schedule's accuracy with two `coxswain worker` processes keeping the same job scheduler: a
 * workflow due every second (`* * * * * *`, cron with seconds) with one `report` step, left to
 * tick for 30 s (`BENCH_SECONDS`) while the schedulers are upserted again every 5 s, as each
 * worker does when it re-reads the files every minute. Then every tick in the window is looked
 * for in the run store (a scheduled run is named after its job, `repeat:<scheduler>:<tick ms>`):
 * printed, the ticks run once, twice or never, runs off the ticks, runs not finished, and the
 * lateness of each run's start after its tick, median, p95 and max.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RESYNC_MS = Number(process.env.BENCH_RESYNC_MS ?? 5_000);
const WORKFLOW = 'every-second';
const SCHEDULER = `workflow.${WORKFLOW}.0`;

const YAML = `
name: ${WORKFLOW}
trigger:
  - schedule: "* * * * * *"
steps:
  - name: sum-up
    action: report
`;

export async function benchWorkflowSchedule(): Promise<void> {
  const bench = await startWorkflowBench('bench-workflow-schedule', { [WORKFLOW]: YAML });
  try {
    console.log(`\n## workflows: a schedule every second, two workers, ${SECONDS} s`);
    const workers = [await bench.worker(), await bench.worker()];
    const from = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const to = from + SECONDS * 1000;
    // The second worker's start upserted the scheduler already; these are the minute re-reads.
    const workflows = loadWorkflowFiles(bench.workflowsDir).yaml;
    if (workflows.size !== 1) throw new Error(`the bench's workflow file is invalid`);
    while (Date.now() < to) {
      await sleep(Math.min(RESYNC_MS, to - Date.now()));
      if (Date.now() < to) await syncSchedules(bench.runs, workflows.values());
    }
    // Time for the window's last runs to finish, then the workers stop before anything is read.
    await sleep(2_000);
    for (const worker of workers) await worker.stop();
    await bench.runs.removeJobScheduler(SCHEDULER);
    report(await bench.store.recent(1_000), from, to);
    await reportJobs(bench.runs, from, to);
  } finally {
    await bench.close();
  }
}

function report(views: RunView[], from: number, to: number): void {
  const byTick = new Map<number, RunView[]>();
  const offTick: string[] = [];
  for (const view of views) {
    const tick = Number(/\.(\d{13})$/.exec(view.run.runId)?.[1]);
    if (!Number.isFinite(tick) || tick % 1000 !== 0) {
      offTick.push(view.run.runId);
      continue;
    }
    if (tick < from || tick >= to) continue;
    byTick.set(tick, [...(byTick.get(tick) ?? []), view]);
  }
  const expected = (to - from) / 1000;
  const missing: string[] = [];
  for (let tick = from; tick < to; tick += 1000)
    if (!byTick.has(tick)) missing.push(new Date(tick).toISOString());
  const twice = [...byTick.values()].filter((runs) => runs.length > 1).length;
  const inWindow = [...byTick.values()].flat();
  const unfinished = inWindow.filter((v) => v.state !== 'succeeded').map((v) => v.run.runId);
  const lateness = sortedNumbers(
    [...byTick].flatMap(([tick, runs]) => runs.map((v) => Date.parse(v.run.startedAt) - tick)),
  );
  console.log(
    `ticks in the window: ${expected}; run once: ${[...byTick.values()].filter((r) => r.length === 1).length}, more than once: ${twice}, never: ${missing.length}; runs off the ticks: ${offTick.length}; not succeeded: ${unfinished.length}`,
  );
  console.log(
    `lateness of a run's start after its tick: median ${quantile(lateness, 0.5).toFixed(0)} ms, p95 ${quantile(lateness, 0.95).toFixed(0)} ms, max ${(lateness.at(-1) ?? Number.NaN).toFixed(0)} ms`,
  );
  if (missing.length > 0) console.log(`  ticks never run: ${missing.join(', ')}`);
  if (offTick.length > 0) console.log(`  runs off the ticks: ${offTick.join(', ')}`);
  if (unfinished.length > 0) console.log(`  runs not succeeded: ${unfinished.join(', ')}`);
}

/** The scheduler's jobs for the window's ticks: one each, completed, none retried or stalled. */
async function reportJobs(runs: Queue, from: number, to: number): Promise<void> {
  const jobs = (await runs.getJobs(['completed', 'failed', 'active', 'wait', 'delayed'], 0, -1))
    .filter((job) => job.id?.startsWith(`repeat:${SCHEDULER}:`))
    .filter((job) => {
      const tick = Number(job.id?.split(':').at(-1));
      return tick >= from && tick < to;
    });
  // A run's job is taken again each time its steps wake it; a retry or a stall is another thing.
  const again = jobs.filter((job) => job.attemptsMade > 1 || job.stalledCounter > 0);
  const completed = jobs.filter((job) => job.finishedOn !== undefined && !job.failedReason);
  console.log(
    `the scheduler's jobs for those ticks: ${jobs.length}, completed ${completed.length}; retried or stalled: ${again.length}`,
  );
}
