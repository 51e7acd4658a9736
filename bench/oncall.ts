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

type Entry = {
  id: string;
  replaces?: string;
  message: { headline?: string; text?: string; footer?: string };
};

export async function benchOncall(): Promise<void> {
  const redis = await startEmbeddedRedis();
  const sandbox = await startSandbox({ scenarios: ['oom-crashloop'] });
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-oncall-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
  const file = join(dir, 'coxswain.yaml');
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
  pacing(stream, before);
}

/**
 * The console is not paced (its interval is 0), Slack and Discord are: what the channel got,
 * spaced at their interval, is the least time the last of it would wait there.
 */
function pacing(stream: SseClient, from: number): void {
  const posts = stream.events
    .slice(from)
    .filter((e) => e.event === 'message' && (JSON.parse(e.data) as Entry).replaces === undefined);
  const slack = PLATFORM_INTERVALS_MS.slack;
  console.log(
    `channel pacing: web ${PLATFORM_INTERVALS_MS.web} ms between messages; the ${posts.length} messages` +
      ` this channel got, at Slack's ${slack} ms, take at least ${((posts.length - 1) * slack) / 1000} s`,
  );
}

/** 100 groups about one workload: one investigation, the rest join it. */
async function storm(baseUrl: string, stream: SseClient, runs: Queue): Promise<void> {
  console.log(`\n## oncall: a storm of ${GROUPS} alert groups about one workload`);
  const before = new Set(stream.messages<Entry>().map((e) => e.id));
  const asksBefore = await askJobs(runs);
  const start = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(post(baseUrl, notification(`OncallBenchStorm${i}`, { deployment: 'payments-api' })));
  }
  await Promise.all(sends);
  // Let every group, join note and answer land; then count what the channel got.
  let last = -1;
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline && stream.events.length !== last) {
    last = stream.events.length;
    await sleep(5_000);
  }
  const entries = stream.messages<Entry>().filter((e) => !before.has(e.id));
  const newMessages = entries.filter((e) => e.replaces === undefined);
  const groupMessages = newMessages.filter((e) =>
    /OncallBenchStorm\d+/.test(e.message.headline ?? ''),
  );
  const count = (pattern: RegExp) => newMessages.filter((e) => pattern.test(textOf(e))).length;
  const answers = count(new RegExp(ANSWERED));
  const asks = (await askJobs(runs)) - asksBefore;
  const from = stream.events.findIndex((e) => e.id !== undefined && !before.has(e.id));
  console.log(
    `messages posted in the channel: ${newMessages.length} (and ${entries.length - newMessages.length} edits of them):` +
      ` group messages ${groupMessages.length},` +
      ` "already under investigation" notes ${count(/Already under investigation/)},` +
      ` "joined this investigation" notes ${count(/joined this investigation/)},` +
      ` answers ${answers}, proposal cards ${count(/^Approve\?/)}`,
  );
  console.log(
    `investigations: ${answers} answered ("${ANSWERED}"), ${asks} \`ask\` jobs on the runs queue`,
  );
  if (from >= 0) pacing(stream, from);
}

async function askJobs(runs: Queue): Promise<number> {
  const jobs = await runs.getJobs(
    ['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized', 'waiting-children'],
    0,
    -1,
  );
  return jobs.filter((job) => job.name === 'ask').length;
}

function notification(alertname: string, workload: Record<string, string>) {
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

async function post(baseUrl: string, body: unknown): Promise<void> {
  const response = await fetch(`${baseUrl}/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
}

function textOf(entry: Entry): string {
  const { headline = '', text = '', footer = '' } = entry.message;
  return `${headline}\n${text}\n${footer}`;
}

function figure(sorted: readonly number[]): string {
  return `p50 ${quantile(sorted, 0.5).toFixed(0)} ms, p95 ${quantile(sorted, 0.95).toFixed(0)} ms`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
