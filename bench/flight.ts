import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { stringify } from 'yaml';
import { JOB_OPTIONS } from '../src/queue/queues.ts';
import { type EmbeddedRedis, startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import {
  MessagesApi,
  type MessagesRequest,
  type ScriptedTurn,
  text,
  toolUse,
} from '../test/support/messages-api.ts';
import { SseClient } from '../test/support/sse.ts';
import { ask, fanOut } from './agents.ts';
import {
  askJobs,
  type Entry,
  notification,
  post,
  quiet,
  textOf,
  writeOncallConfig,
} from './oncall.ts';
import { type Figures, rssMiB, sleep, spawnNode } from './support.ts';
import { quantile, sortedNumbers } from './workflow-support.ts';

/**
 * Many agent runs in flight on one worker, with a model that takes its time (a local Messages
 * API that answers each call after a set latency, as a real model does).
 *
 * In flight: one `coxswain worker`, the model at 1 s a call, `BENCH_FLIGHT_RUNS` (150) runs
 * submitted together, each the orchestrator asking three specialists in parallel (8 model calls,
 * 3 tool calls). Printed: the most model calls open at once at the Messages API and the most
 * active jobs on the runs queue, runs per second, and the worker's RSS idle and at its peak, with
 * the memory each run in flight costs.
 *
 * Alert to diagnosis: `coxswain all` (the bot and one worker in one process) with the model at
 * 2 s a call, the web console as the on-call channel: 50 (`BENCH_FLIGHT_GROUPS`) alert groups
 * about 50 workloads posted at once, each investigated by the orchestrator and the
 * diagnostician (4 model calls, one tool call). Printed: the time from each POST to the
 * diagnosis in the group's thread, p50 and p95. Then a storm of 100 notifications about one
 * workload: the investigations it starts.
 *
 * `BENCH_CONCURRENCY` sets WORKER_CONCURRENCY for both (unset: the default).
 */
const RUNS = Number(process.env.BENCH_FLIGHT_RUNS ?? 150);
const GROUPS = Number(process.env.BENCH_FLIGHT_GROUPS ?? 50);
const STORM = 100;
const CONCURRENCY = process.env.BENCH_CONCURRENCY;
const WAIT_MS = 300_000;
const TARGETS = { inFlight: 100, diagnosisP95Ms: 60_000, stormInvestigations: 1 };

export async function benchFlight(): Promise<Figures> {
  const redis = await startEmbeddedRedis();
  const sandbox = await startSandbox({
    scenarios: ['oom-crashloop', 'healthy', 'argocd-out-of-sync'],
  });
  const api = new MessagesApi();
  const baseUrl = await api.start();
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-flight-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
  try {
    const setup = { redis, api, baseUrl, dir, kubeconfig };
    const inFlight = await runsInFlight(setup);
    const alerts = await alertsToDiagnosis(setup);
    return { concurrency: CONCURRENCY ?? 'default', inFlight, ...alerts, targets: TARGETS };
  } finally {
    await api.stop();
    await sandbox.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Setup = {
  redis: EmbeddedRedis;
  api: MessagesApi;
  baseUrl: string;
  dir: string;
  kubeconfig: string;
};

function modelEnv(setup: Setup, prefix: string): Record<string, string> {
  return {
    REDIS_URL: setup.redis.url,
    REDIS_PREFIX: prefix,
    ANTHROPIC_API_KEY: 'sk-ant-bench',
    ANTHROPIC_BASE_URL: setup.baseUrl,
    LOG_LEVEL: 'warn',
    ...(CONCURRENCY === undefined ? {} : { WORKER_CONCURRENCY: CONCURRENCY }),
  };
}

/** One worker, a 1 s model, enough runs at once to have 100 or more in flight. */
async function runsInFlight(setup: Setup) {
  console.log(`\n## flight: ${RUNS} runs on one worker, model latency 1 s per call`);
  const config = join(setup.dir, 'worker.yaml');
  writeFileSync(
    config,
    stringify({ clusters: [{ name: 'sandbox', kubeconfig: setup.kubeconfig }] }),
  );
  const prefix = 'bench-flight-runs';
  // A heap snapshot on SIGUSR2 collects all garbage first: the heap in use after it is what runs
  // left behind.
  const snapshots = join(setup.dir, 'snapshots');
  const worker = await spawnNode(
    [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${snapshots}`, 'bin/coxswain.js', 'worker'],
    { ...modelEnv(setup, prefix), WORKER_PORT: '19420', COXSWAIN_CONFIG: config },
    'http://127.0.0.1:19420/healthz',
  );
  const runs = new Queue('runs', {
    connection: { url: setup.redis.url },
    prefix,
    defaultJobOptions: JOB_OPTIONS.runs,
  });
  try {
    setup.api.respond = fanOut;
    setup.api.latencyMs = 1_000;
    // One run first, so that what a run loads once (the model client, the tools) is in the idle figure.
    await allFinished(runs, [await ask(runs, 'flight.warm-up')]);
    await sleep(2_000);
    const idleMiB = rssMiB(worker.pid);
    setup.api.peakOpen = 0;
    const idle = await workerMetrics(19_420);
    const peak = { active: 0, rssMiB: idleMiB, heapMiB: idle.heapMiB, lagMs: 0 };
    const watching = watch(async () => {
      peak.active = Math.max(peak.active, await runs.getActiveCount());
      peak.rssMiB = Math.max(peak.rssMiB, rssMiB(worker.pid));
    }, 100);
    // Scraped once a second: prom-client's event loop lag is the most since the last scrape.
    const scraping = watch(async () => {
      const now = await workerMetrics(19_420);
      peak.heapMiB = Math.max(peak.heapMiB, now.heapMiB);
      peak.lagMs = Math.max(peak.lagMs, now.lagMaxMs);
    }, 1_000);
    const cpu0 = cpuSeconds(worker.pid);
    const t0 = performance.now();
    const ids = await Promise.all(Array.from({ length: RUNS }, (_, i) => ask(runs, `flight.${i}`)));
    await allFinished(runs, ids);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(worker.pid) - cpu0;
    await Promise.all([watching.stop(), scraping.stop()]);
    await sleep(5_000);
    const afterMiB = rssMiB(worker.pid);
    const after = await workerMetrics(19_420);
    const retained = await heapAfterFullCollection(worker.pid, snapshots);
    const figures = {
      runs: RUNS,
      seconds: round(seconds, 1),
      runsPerSecond: round(RUNS / seconds, 2),
      peakModelCallsOpen: setup.api.peakOpen,
      peakActiveJobs: peak.active,
      rssIdleMiB: round(idleMiB, 0),
      rssPeakMiB: round(peak.rssMiB, 0),
      miBPerRunInFlight: round((peak.rssMiB - idleMiB) / Math.max(1, peak.active), 2),
      rssAfterMiB: round(afterMiB, 0),
      heapIdleMiB: round(idle.heapMiB, 0),
      heapPeakMiB: round(peak.heapMiB, 0),
      heapAfterMiB: round(after.heapMiB, 0),
      heapRetainedMiB: round(retained, 0),
      workerCpuMsPerRun: round((cpu * 1000) / RUNS, 0),
      eventLoopLagMaxMs: round(peak.lagMs, 0),
    };
    console.log(
      `in flight: ${figures.peakModelCallsOpen} model calls open at once, ${figures.peakActiveJobs} active jobs at most (target ≥ ${TARGETS.inFlight})`,
    );
    console.log(
      `${RUNS} runs (8 model calls of 1 s each) in ${figures.seconds} s = ${figures.runsPerSecond} runs/s; worker RSS ${figures.rssIdleMiB} MiB idle, ${figures.rssPeakMiB} MiB at peak: ${figures.miBPerRunInFlight} MiB per job in flight; ${figures.rssAfterMiB} MiB 5 s after`,
    );
    console.log(
      `worker heap used ${figures.heapIdleMiB} MiB idle, ${figures.heapPeakMiB} MiB at most, ${figures.heapAfterMiB} MiB 5 s after, ${figures.heapRetainedMiB} MiB after a full collection; CPU ${figures.workerCpuMsPerRun} ms per run; event loop lag at most ${figures.eventLoopLagMaxMs} ms (locks are renewed every WORKER_LOCK_SECONDS / 2)`,
    );
    return figures;
  } finally {
    setup.api.latencyMs = 0;
    setup.api.respond = undefined;
    await runs.close();
    await worker.stop();
  }
}

/** Calls `sample` every `ms` until stopped. */
function watch(sample: () => Promise<void>, ms: number) {
  let going = true;
  const loop = (async () => {
    while (going) {
      await sample().catch(() => undefined);
      await sleep(ms);
    }
  })();
  return {
    async stop() {
      going = false;
      await loop;
    },
  };
}

/** The worker's V8 heap in use and the longest event loop delay since the last scrape. */
async function workerMetrics(port: number): Promise<{ heapMiB: number; lagMaxMs: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) =>
    Number(new RegExp(`^coxswain_${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    heapMiB: value('nodejs_heap_size_used_bytes') / 2 ** 20,
    lagMaxMs: value('nodejs_eventloop_lag_max_seconds') * 1000,
  };
}

/** The worker's heap in use once a heap snapshot (a full collection first) has been written. */
async function heapAfterFullCollection(pid: number, dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  process.kill(pid, 'SIGUSR2');
  // The process answers nothing while it writes: done once the file has stopped growing and
  // the process answers again.
  const deadline = Date.now() + 120_000;
  let size = 0;
  for (;;) {
    await sleep(2_000);
    const now = readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    if (Date.now() > deadline) throw new Error('the heap snapshot was not written in 120 s');
    if (now > 0 && now === size) {
      const metrics = await workerMetrics(19_420).catch(() => undefined);
      if (metrics !== undefined) {
        rmSync(dir, { recursive: true, force: true });
        return metrics.heapMiB;
      }
    }
    size = now;
  }
}

/** CPU time a process has used, user and system, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function allFinished(runs: Queue, ids: readonly string[]): Promise<void> {
  let left = [...ids];
  const deadline = Date.now() + WAIT_MS;
  while (left.length > 0) {
    if (Date.now() > deadline) throw new Error(`${left.length} runs unfinished`);
    const jobs = await Promise.all(left.map((id) => runs.getJob(id)));
    for (const job of jobs)
      if (job?.failedReason) throw new Error(`run ${job.id} failed: ${job.failedReason}`);
    left = left.filter((_, i) => jobs[i]?.finishedOn === undefined);
    await sleep(250);
  }
}

/**
 * The model of an alert's investigation: the orchestrator asks the diagnostician, which lists the
 * pods and reports; the orchestrator's reply names the alert it was asked about.
 */
const investigate = (request: MessagesRequest): ScriptedTurn => {
  const orchestrator = JSON.stringify(request.system).includes("Coxswain's orchestrator");
  const turn = request.messages.length;
  const asked = JSON.stringify(request.messages[0]);
  const alert = /FlightBench(?:Symptom|Storm)\d+/.exec(asked)?.[0] ?? 'the alert';
  if (orchestrator && turn === 1) {
    const task = `Why does ${alert} fire in namespace payments? Report cause and evidence.`;
    return {
      content: [toolUse('d', 'delegate', { tasks: [{ agent: 'k8s-diagnostician', task }] })],
    };
  }
  if (orchestrator)
    return {
      content: [toolUse('r', 'reply', { text: `${alert}: payments-api is OOMKilled at 256Mi.` })],
    };
  if (turn === 1) return { content: [toolUse('a', 'list_pods', { namespace: 'payments' })] };
  return { content: [text('Cause: OOMKilled, exit 137 at the 256Mi limit.')] };
};

/** `coxswain all` with a 2 s model: 50 groups at once, then a storm about one workload. */
async function alertsToDiagnosis(setup: Setup) {
  const file = writeOncallConfig(join(setup.dir, 'all.yaml'), setup.kubeconfig);
  const workflowsDir = join(setup.dir, 'workflows');
  mkdirSync(workflowsDir);
  const prefix = 'bench-flight-alerts';
  const port = 19_430;
  const all = await spawnNode(
    ['bin/coxswain.js', 'all'],
    {
      ...modelEnv(setup, prefix),
      PORT: String(port),
      WORKER_PORT: '0',
      COXSWAIN_CONFIG: file,
      WORKFLOWS_DIR: workflowsDir,
      AUDIT_DIR: join(setup.dir, 'audit'),
    },
    `http://127.0.0.1:${port}/healthz`,
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const runs = new Queue('runs', { connection: { url: setup.redis.url }, prefix });
  const stream = await SseClient.connect(`${baseUrl}/api/stream?channel=oncall`);
  setup.api.respond = investigate;
  setup.api.latencyMs = 2_000;
  try {
    const diagnosis = await distinctGroups(baseUrl, stream, all.pid);
    const storm = await oneCause(baseUrl, stream, runs);
    return { diagnosis, storm };
  } finally {
    setup.api.latencyMs = 0;
    setup.api.respond = undefined;
    await stream.close();
    await runs.close();
    await all.stop();
  }
}

/** An answer by the agents: its footer says how many model calls it took. */
const isDiagnosis = (entry: Entry) => /model calls?,/.test(entry.message.footer ?? '');

async function distinctGroups(baseUrl: string, stream: SseClient, pid: number) {
  console.log(
    `\n## flight: ${GROUPS} alert groups at once, coxswain all (bot + one worker), model latency 2 s per call`,
  );
  const names = Array.from({ length: GROUPS }, (_, i) => `FlightBenchSymptom${i}`);
  const answered = new Map<string, number>();
  let read = 0;
  let peakMiB = rssMiB(pid);
  const watching = watch(async () => {
    const now = Date.now();
    for (const event of stream.events.slice(read)) {
      if (event.event !== 'message') continue;
      const entry = JSON.parse(event.data) as Entry;
      const name = /FlightBenchSymptom\d+\b/.exec(textOf(entry))?.[0];
      if (name !== undefined && isDiagnosis(entry) && !answered.has(name)) answered.set(name, now);
    }
    read = stream.events.length;
    peakMiB = Math.max(peakMiB, rssMiB(pid));
  }, 20);
  const posted = Date.now();
  await Promise.all(
    names.map((name, i) => post(baseUrl, notification(name, { deployment: `svc-${i}` }))),
  );
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline && answered.size < GROUPS) await sleep(100);
  await watching.stop();
  const times = sortedNumbers([...answered.values()].map((at) => at - posted));
  const figures = {
    groups: GROUPS,
    diagnosed: times.length,
    p50Ms: round(quantile(times, 0.5), 0),
    p95Ms: round(quantile(times, 0.95), 0),
    maxMs: round(times[times.length - 1] ?? Number.NaN, 0),
    rssPeakMiB: round(peakMiB, 0),
  };
  console.log(
    `alert → diagnosis in its thread: ${figures.diagnosed}/${GROUPS} within ${WAIT_MS / 1000} s, p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms (target ≤ ${TARGETS.diagnosisP95Ms} ms), max ${figures.maxMs} ms; RSS at peak ${figures.rssPeakMiB} MiB`,
  );
  return figures;
}

/** 100 notifications of distinct groups about one workload: one investigation. */
async function oneCause(baseUrl: string, stream: SseClient, runs: Queue) {
  console.log(`\n## flight: ${STORM} notifications about one workload, model latency 2 s`);
  const before = stream.events.length;
  const asksBefore = await askJobs(runs);
  await Promise.all(
    Array.from({ length: STORM }, (_, i) =>
      post(baseUrl, notification(`FlightBenchStorm${i}`, { deployment: 'payments-api' })),
    ),
  );
  await quiet(stream, 12_000);
  const diagnoses = stream.events
    .slice(before)
    .filter((e) => e.event === 'message')
    .map((e) => JSON.parse(e.data) as Entry)
    .filter((e) => e.replaces === undefined && isDiagnosis(e)).length;
  const figures = { notifications: STORM, askJobs: (await askJobs(runs)) - asksBefore, diagnoses };
  console.log(
    `investigations: ${figures.askJobs} \`ask\` jobs, ${figures.diagnoses} diagnoses posted (target ${TARGETS.stormInvestigations}; without a model: npm run bench oncall)`,
  );
  return figures;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
