import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { stringify } from 'yaml';
import { PLATFORM_INTERVALS_MS } from '../src/chat/pacing.ts';
import { loadConfig } from '../src/config/index.ts';
import { startProcess } from '../src/main/start-process.ts';
import { createLogger } from '../src/observability/logger.ts';
import { startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import { SseClient } from '../test/support/sse.ts';
import { quantile, sortedNumbers } from './workflow-support.ts';

/**
 * On call, end to end in one `coxswain all` process with its own `redis-server`, the sandbox as
 * the cluster and no workflow (an empty WORKFLOWS_DIR), so every firing group gets the default
 * investigation, answered offline by the analyzers. The web console channel `#oncall` is read
 * with its event stream, as a browser reads it. Printed: the time from an Alertmanager POST to
 * the group's message and to the investigation's answer, for 100 groups about 100 workloads
 * posted at a steady rate; then a storm of 100 groups about one workload: the messages it makes
 * in the channel and the investigations it runs.
 */
const GROUPS = Number(process.env.BENCH_GROUPS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const WAIT_MS = Number(process.env.BENCH_WAIT_SECONDS ?? 180) * 1000;
const ANSWERED = 'Answered by the analyzers';

export type Entry = {
  id: string;
  replaces?: string;
  message: { headline?: string; text?: string; footer?: string };
};

/**
 * The on-call benches' config: the sandbox as the cluster, `web:oncall` bound to it (confirm tier,
 * approvers `web:sre`) and every alert routed there. Returns the file's path.
 */
export function writeOncallConfig(file: string, kubeconfig: string): string {
  writeFileSync(
    file,
    stringify({
      clusters: [{ name: 'sandbox', kubeconfig }],
      bindings: [
        {
          channel: 'web:oncall',
          clusters: ['sandbox'],
          namespaces: ['*'],
          maxTier: 'confirm',
          approvers: ['web:sre'],
        },
      ],
      routes: [{ match: {}, channels: ['web:oncall'] }],
    }),
  );
  return file;
}

export async function benchOncall(): Promise<void> {
  const redis = await startEmbeddedRedis();
  const sandbox = await startSandbox({ scenarios: ['oom-crashloop'] });
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-oncall-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
  const file = writeOncallConfig(join(dir, 'coxswain.yaml'), kubeconfig);
  const workflowsDir = join(dir, 'workflows');
  mkdirSync(workflowsDir);
  const prefix = 'bench-oncall';
  const config = loadConfig({
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    PORT: '0',
    WORKER_PORT: '0',
    LOG_LEVEL: 'silent',
    ALERTMANAGER_AUTH: 'none',
    COXSWAIN_CONFIG: file,
    WORKFLOWS_DIR: workflowsDir,
    AUDIT_DIR: join(dir, 'audit'),
  });
  // No ANTHROPIC_API_KEY among these variables: the analyzers answer, offline.
  const running = await startProcess(config, 'all', createLogger(config.logLevel));
  const baseUrl = `http://127.0.0.1:${running.port}`;
  const runs = new Queue('runs', { connection: { url: redis.url }, prefix });
  const stream = await SseClient.connect(`${baseUrl}/api/stream?channel=oncall`);
  try {
    await distinctGroups(baseUrl, stream);
    await storm(baseUrl, stream, runs);
  } finally {
    await stream.close();
    await runs.close();
    await running.stop();
    await sandbox.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 100 groups, each about a workload of its own, posted at `RATE` per second. */
async function distinctGroups(baseUrl: string, stream: SseClient): Promise<void> {
  console.log(
    `\n## oncall: ${GROUPS} alert groups about ${GROUPS} workloads, ${RATE} posts/s, web console`,
  );
  const names = Array.from({ length: GROUPS }, (_, i) => `OncallBenchSymptom${i}`);
  const posted = new Map<string, number>();
  const firstSeen = new Map<string, number>();
  const answers = new Map<string, number>();
  // Reads the stream every 10 ms from before the first post: an entry's time is when it is seen.
  let watching = true;
  let read = 0;
  const watcher = (async () => {
    while (watching) {
      const now = Date.now();
      for (const event of stream.events.slice(read)) {
        if (event.event !== 'message') continue;
        const entry = JSON.parse(event.data) as Entry;
        // An answer names who asked in its footer: `asked by <alertname> · …`.
        const text = textOf(entry);
        const name = /OncallBenchSymptom\d+\b/.exec(text)?.[0];
        if (name === undefined) continue;
        const seen = text.includes(ANSWERED) ? answers : firstSeen;
        if (!seen.has(name)) seen.set(name, now);
      }
      read = stream.events.length;
      await sleep(10);
    }
  })();
  const before = stream.events.length;
  const start = performance.now();
  const sends: Promise<void>[] = [];
  for (const [i, alertname] of names.entries()) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    posted.set(alertname, Date.now());
    sends.push(post(baseUrl, notification(alertname, { deployment: `svc-${i}` })));
  }
  await Promise.all(sends);
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline && answers.size < GROUPS) await sleep(100);
  watching = false;
  await watcher;
  const toMessage = sortedNumbers(
    names.flatMap((n) => {
      const at = firstSeen.get(n);
      return at === undefined ? [] : [at - (posted.get(n) ?? at)];
    }),
  );
  const toAnswer = sortedNumbers(
    names.flatMap((n) => {
      const at = answers.get(n);
      return at === undefined ? [] : [at - (posted.get(n) ?? at)];
    }),
  );
  console.log(`alert → group message: ${toMessage.length}/${GROUPS} seen, ${figure(toMessage)}`);
  console.log(
    `alert → investigation's answer: ${toAnswer.length}/${GROUPS} answered within ${WAIT_MS / 1000} s, ${figure(toAnswer)}`,
  );
  await quiet(stream, 2_000);
  channel(entriesFrom(stream, before), /^Firing: OncallBenchSymptom\d+$/);
}

/** 100 groups about one workload: one investigation, the rest join it. */
async function storm(baseUrl: string, stream: SseClient, runs: Queue): Promise<void> {
  console.log(`\n## oncall: a storm of ${GROUPS} alert groups about one workload`);
  const before = stream.events.length;
  const asksBefore = await askJobs(runs);
  const start = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(post(baseUrl, notification(`OncallBenchStorm${i}`, { deployment: 'payments-api' })));
  }
  await Promise.all(sends);
  // Let every group, join note and answer land.
  await quiet(stream, 5_000);
  const answers = channel(entriesFrom(stream, before), /^Firing: OncallBenchStorm\d+$/);
  const asks = (await askJobs(runs)) - asksBefore;
  console.log(
    `investigations: ${answers} answered ("${ANSWERED}"), ${asks} \`ask\` jobs on the runs queue`,
  );
}

/** Waits until the stream has had nothing new for `ms` (at most the bench's wait). */
export async function quiet(stream: SseClient, ms: number): Promise<void> {
  let last = -1;
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline && stream.events.length !== last) {
    last = stream.events.length;
    await sleep(ms);
  }
}

function entriesFrom(stream: SseClient, from: number): Entry[] {
  return stream.events
    .slice(from)
    .filter((e) => e.event === 'message')
    .map((e) => JSON.parse(e.data) as Entry);
}

/**
 * What the channel got, by kind, and what it would cost where channels are paced: the console's
 * interval is 0, Slack's and Discord's are not, and there every message of the channel (threads
 * too) waits its turn. Returns the number of answers.
 */
function channel(entries: readonly Entry[], group: RegExp): number {
  const posts = entries.filter((e) => e.replaces === undefined);
  const count = (pattern: RegExp) => posts.filter((e) => pattern.test(textOf(e))).length;
  const kinds = {
    'group messages': posts.filter((e) => group.test(e.message.headline ?? '')).length,
    '"looking into it" notes': count(/^\nLooking into it/),
    '"already under investigation" notes': count(/Already under investigation/),
    '"joined this investigation" notes': count(/joined this investigation/),
    answers: count(new RegExp(ANSWERED)),
    'proposal cards': count(/^Approve\?/),
  };
  const known = Object.values(kinds).reduce((sum, n) => sum + n, 0);
  console.log(
    `messages posted in the channel: ${posts.length}, edits ${entries.length - posts.length}; ` +
      Object.entries(kinds)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ') +
      (known === posts.length ? '' : `, other ${posts.length - known}`),
  );
  const interval = PLATFORM_INTERVALS_MS.slack;
  console.log(
    `channel pacing: web ${PLATFORM_INTERVALS_MS.web} ms between messages; at Slack's ${interval} ms` +
      ` these ${posts.length} messages take at least ${((posts.length - 1) * interval) / 1000} s`,
  );
  return kinds.answers;
}

export async function askJobs(runs: Queue): Promise<number> {
  const jobs = await runs.getJobs(
    ['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized', 'waiting-children'],
    0,
    -1,
  );
  return jobs.filter((job) => job.name === 'ask').length;
}

export function notification(alertname: string, workload: Record<string, string>) {
  const labels = { alertname, namespace: 'payments', severity: 'critical', ...workload };
  const alert = {
    status: 'firing',
    labels,
    annotations: { summary: `${alertname} is firing` },
    startsAt: new Date().toISOString(),
    generatorURL: 'http://prometheus.example/graph',
    fingerprint: alertname.toLowerCase(),
  };
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'coxswain',
    groupLabels: { alertname },
    commonLabels: labels,
    commonAnnotations: alert.annotations,
    externalURL: 'http://alertmanager.example',
    alerts: [alert],
  };
}

export async function post(baseUrl: string, body: unknown): Promise<void> {
  const response = await fetch(`${baseUrl}/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
}

export function textOf(entry: Entry): string {
  const { headline = '', text = '', footer = '' } = entry.message;
  return `${headline}\n${text}\n${footer}`;
}

function figure(sorted: readonly number[]): string {
  return `p50 ${quantile(sorted, 0.5).toFixed(0)} ms, p95 ${quantile(sorted, 0.95).toFixed(0)} ms`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
