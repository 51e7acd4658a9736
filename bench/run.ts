import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { benchAgents } from './agents.ts';
import { benchAlertLoop } from './alert-loop.ts';
import { benchAnswerTokens } from './answer-tokens.ts';
import { benchDiagnose } from './diagnose.ts';
import { benchFailover } from './failover.ts';
import { benchFlight } from './flight.ts';
import { benchInvestigationTokens } from './investigation-tokens.ts';
import { benchMemory } from './memory.ts';
import { benchOncall } from './oncall.ts';
import { benchRedaction } from './redaction.ts';
import { benchSandbox } from './sandbox.ts';
import { benchSchedulerMessages } from './scheduler-messages.ts';
import { benchSentinelFailover } from './sentinel-failover.ts';
import { benchSlackAck } from './slack-ack.ts';
import { benchStatus } from './status.ts';
import { benchStatusScale } from './status-scale.ts';
import { ROOT } from './support.ts';
import { benchWebhook } from './webhook.ts';
import { benchWorkflowSchedule } from './workflow-schedule.ts';
import { benchWorkflowSteps } from './workflow-steps.ts';

// `npm run bench`: figures and ratios, printed, and written to bench/results/latest.json. Nothing
// here is a pass/fail test: these machines are shared, so the numbers are for reading, comparing
// and putting in closing notes.

/** A bench prints its figures and returns them (`Figures`) for latest.json; older ones return nothing. */
type Bench = { name: string; run: () => Promise<unknown>; byName?: true };

const BENCHES: Bench[] = [
  { name: 'webhook', run: benchWebhook },
  { name: 'memory', run: benchMemory },
  { name: 'diagnose', run: benchDiagnose },
  { name: 'agents', run: benchAgents },
  { name: 'flight', run: benchFlight },
  { name: 'answers', run: benchAnswerTokens },
  { name: 'investigation', run: benchInvestigationTokens },
  { name: 'slack', run: benchSlackAck },
  { name: 'redaction', run: benchRedaction },
  { name: 'scheduler-messages', run: benchSchedulerMessages },
  { name: 'oncall', run: benchOncall },
  { name: 'status', run: benchStatus },
  { name: 'status-scale', run: benchStatusScale },
  { name: 'sandbox', run: benchSandbox },
  { name: 'failover', run: benchFailover },
  { name: 'sentinel-failover', run: benchSentinelFailover },
  // Half an hour with the shipped intervals: only when asked for by name.
  { name: 'alert-loop', run: benchAlertLoop, byName: true },
  {
    name: 'workflows',
    run: async () => ({
      steps: await benchWorkflowSteps(),
      schedule: await benchWorkflowSchedule(),
    }),
  },
];

const only = process.argv[2];
const chosen = BENCHES.filter((b) => (only === undefined ? b.byName !== true : b.name === only));
if (chosen.length === 0) {
  console.error(`no bench named ${only}; one of: ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

const OUT = `${ROOT}bench/results/latest.json`;
type Entry = { commit?: string; at: string; seconds: number; figures?: unknown; error?: string };
const commit = gitCommit();
const report = {
  node: process.version,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  },
  // One bench run by name replaces its own entry and keeps the others; each says its commit.
  benches: (only === undefined ? {} : earlierBenches()) as Record<string, Entry>,
};
let failed = false;
for (const bench of chosen) {
  const started = Date.now();
  try {
    const figures = await bench.run();
    report.benches[bench.name] = { ...stamp(started), figures };
  } catch (error) {
    failed = true;
    console.error(`\nbench ${bench.name} failed: ${(error as Error).stack}`);
    report.benches[bench.name] = { ...stamp(started), error: String(error) };
  }
  // Written after each bench, so what was measured survives one that fails or is stopped.
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
}
console.log(`\nwrote bench/results/latest.json`);
if (failed) process.exitCode = 1;

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function stamp(started: number): Entry {
  return {
    ...(commit === undefined ? {} : { commit }),
    at: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
}

/** The entries of the last latest.json, if there is a readable one. */
function earlierBenches(): Record<string, Entry> {
  try {
    const earlier = JSON.parse(readFileSync(OUT, 'utf8')) as { benches?: Record<string, Entry> };
    return typeof earlier.benches === 'object' && earlier.benches !== null ? earlier.benches : {};
  } catch {
    return {};
  }
}
