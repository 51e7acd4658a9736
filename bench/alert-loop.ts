import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config/index.ts';
import { startProcess } from '../src/main/start-process.ts';
import { createLogger } from '../src/observability/logger.ts';
import { startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import {
  type Intervals,
  type LocalMonitoring,
  startLocalMonitoring,
} from '../src/runtime/local-monitoring.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import { connect } from '../src/tools/kubernetes/cluster.ts';
import {
  crashableDeployment,
  diagnosisOf,
  prometheusAlerts,
  QUICK_INTERVALS,
  quickRules,
  tsOf,
} from '../test/support/alert-loop.ts';
import { FakeSlack, type SlackCall } from '../test/support/slack-api.ts';
import type { Figures } from './support.ts';

/**
 * The on-call loop with no hand-made alert, timed step by step: a deployment of the sandbox
 * starts crash-looping; the real Prometheus scraping the sandbox has KubePodCrashLooping pending,
 * then firing; the real Alertmanager delivers it to the bot's webhook (through a tap that notes
 * the time); the group's message reaches Slack (the local fake), then the diagnosis in its
 * thread (the shipped pod-crashloop workflow, offline). Then the deployment is fixed, and the
 * alert leaves Prometheus, reaches the webhook resolved, and the message turns Resolved.
 *
 * Twice: with the quick intervals of the tests (`BENCH_RUNS` runs, 3 by default), then with the
 * shipped deploy/prometheus files as they are (scrape and evaluation every 30 s, `for: 15m`,
 * group_wait 30 s, group_interval 5 m): about half an hour. `BENCH_ALERT_LOOP=quick` runs only
 * the quick one, `shipped` only the shipped one.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ONLY = process.env.BENCH_ALERT_LOOP;
const STEPS = [
  'fault → pending in Prometheus',
  'fault → firing in Prometheus',
  'firing → received by the bot',
  'received → message in channel',
  'message → diagnosis (or a note pointing to it) in thread',
  'fault → diagnosis in thread',
  'fix → gone from Prometheus',
  'gone → resolved received by the bot',
  'received → message Resolved',
  'fix → message Resolved',
] as const;
type Step = (typeof STEPS)[number];
type Timings = Partial<Record<Step, number>>;

type Setting = {
  name: string;
  intervals: Intervals | undefined;
  rules: string | undefined;
  runs: number;
  timeoutMs: number;
};

export async function benchAlertLoop(): Promise<Figures> {
  const settings: Setting[] = [];
  if (ONLY !== 'shipped')
    settings.push({
      name: `quick: scrape and evaluation 1 s, rules' windows and for in seconds (for: 3s), group_wait 1 s, group_interval 2 s, resend 1 s`,
      intervals: QUICK_INTERVALS,
      rules: quickRules(),
      runs: RUNS,
      timeoutMs: 60_000,
    });
  if (ONLY !== 'quick')
    settings.push({
      name: 'shipped: deploy/prometheus as it is (scrape and evaluation 30 s, for: 15m, group_wait 30 s, group_interval 5 m, resend 1 m)',
      intervals: undefined,
      rules: undefined,
      runs: 1,
      timeoutMs: 40 * 60_000,
    });
  const figures: Figures = {};
  for (const setting of settings)
    figures[setting.intervals === undefined ? 'shipped' : 'quick'] = await benchSetting(setting);
  return figures;
}

/** Seconds per step over the setting's runs: median, min and max, as printed. */
async function benchSetting(setting: Setting): Promise<Figures> {
  console.log(`\n## alert-loop, ${setting.name}`);
  const world = await startWorld(setting);
  const all: Timings[] = [];
  try {
    for (let run = 1; run <= setting.runs; run++) {
      const timings = await oneLoop(world, `loop-${run}`, setting.timeoutMs);
      all.push(timings);
      console.log(`run ${run}: ${STEPS.map((s) => `${s} ${seconds(timings[s])}`).join(', ')}`);
    }
  } finally {
    await world.stop();
  }
  console.log('\n| step | median | min | max |\n|---|---|---|---|');
  const steps: Figures = {};
  for (const step of STEPS) {
    const values = all.map((t) => t[step]).filter((v): v is number => v !== undefined);
    values.sort((a, b) => a - b);
    const median = values[Math.floor((values.length - 1) / 2)];
    console.log(
      `| ${step} | ${seconds(median)} | ${seconds(values[0])} | ${seconds(values.at(-1))} |`,
    );
    steps[step] = {
      medianSeconds: secondsOf(median),
      minSeconds: secondsOf(values[0]),
      maxSeconds: secondsOf(values.at(-1)),
    };
  }
  return { setting: setting.name, runs: all.length, steps };
}

function secondsOf(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms / 10) / 100;
}

type World = {
  slack: FakeSlack;
  monitoring: LocalMonitoring;
  cluster: ReturnType<typeof connect>;
  received: { at: number; status: string; namespace: string; alertname: string }[];
  stop(): Promise<void>;
};

/** Redis, the sandbox, the local Slack, `coxswain all`, the tap, Prometheus and Alertmanager. */
async function startWorld(setting: Setting): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-alert-loop-'));
  const redis = await startEmbeddedRedis();
  const sandbox = await startSandbox({ scenarios: ['healthy'], metricsPort: 0 });
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
  const slack = await FakeSlack.start();
  const file = join(dir, 'coxswain.yaml');
  writeFileSync(
    file,
    stringify({
      clusters: [{ name: 'sandbox', kubeconfig }],
      bindings: [{ channel: 'slack:C0ONCALL', clusters: ['sandbox'], namespaces: ['*'] }],
      routes: [{ match: {}, channels: ['slack:C0ONCALL'] }],
    }),
  );
  const token = 'bench-alert-loop-webhook-token';
  const config = loadConfig({
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'bench-alert-loop',
    PORT: '0',
    WORKER_PORT: '0',
    LOG_LEVEL: 'silent',
    ALERTMANAGER_TOKEN: token,
    COXSWAIN_CONFIG: file,
    AUDIT_DIR: join(dir, 'audit'),
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
  });
  // No ANTHROPIC_API_KEY: the workflow's steps and the analyzers answer, offline.
  const running = await startProcess(config, 'all', createLogger(config.logLevel));
  const received: World['received'] = [];
  const tap = await startTap(`http://127.0.0.1:${running.port}/alerts/alertmanager`, received);
  const monitoring = await startLocalMonitoring({
    target: new URL(sandbox.metricsUrl ?? '').host,
    webhook: { url: tap.url, token },
    ...(setting.rules === undefined ? {} : { rules: setting.rules }),
    ...(setting.intervals === undefined ? {} : { intervals: setting.intervals }),
  });
  return {
    slack,
    monitoring,
    cluster: connect({ name: 'sandbox', kubeconfig }),
    received,
    async stop() {
      await monitoring.stop();
      await new Promise((done) => tap.server.close(done));
      await running.stop();
      await slack.close();
      await sandbox.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Passes Alertmanager's notifications on to the bot, noting when each arrived, its status and
 * its namespace.
 */
async function startTap(
  target: string,
  received: World['received'],
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      try {
        const payload = JSON.parse(body.toString()) as {
          status: string;
          commonLabels: Record<string, string>;
        };
        received.push({
          at,
          status: payload.status,
          namespace: payload.commonLabels.namespace ?? '',
          alertname: payload.commonLabels.alertname ?? '',
        });
        const answer = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: req.headers.authorization ?? '',
          },
          body,
        });
        res.writeHead(answer.status).end(await answer.text());
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

const ALERT = 'KubePodCrashLooping';
const text = (call: SlackCall) => JSON.stringify(call.args);

/** One fault and its fix in a namespace of its own, so each run is a group of its own. */
async function oneLoop(world: World, namespace: string, timeoutMs: number): Promise<Timings> {
  await world.cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
  const worker = await crashableDeployment(world.cluster, namespace, 'worker');
  const fault = Date.now();
  await worker.break();
  const prometheus = whenFiring(world.monitoring.prometheusUrl, namespace, timeoutMs);
  const message = await world.slack.waitForCall(
    'chat.postMessage',
    (call) =>
      call.args.thread_ts === undefined &&
      new RegExp(`Firing: ${ALERT}`).test(text(call)) &&
      text(call).includes(`\\n${namespace}`),
    timeoutMs,
  );
  // With several groups firing at once, the diagnosis can sit in another group's thread, and this
  // group's thread gets a note pointing to it: the note is what its readers see first.
  const { answer, via } = await diagnosisOf(world.slack, message, timeoutMs);
  const { pending, firing } = await prometheus;
  const received = world.received.find(
    (r) => r.namespace === namespace && r.alertname === ALERT && r.status === 'firing',
  );
  const fix = Date.now();
  await worker.fix();
  const gone = await whenGone(world.monitoring.prometheusUrl, namespace, timeoutMs);
  const resolved = await world.slack.waitForCall(
    'chat.update',
    (call) => call.args.ts === tsOf(message) && new RegExp(`Resolved: ${ALERT}`).test(text(call)),
    timeoutMs,
  );
  const receivedResolved = world.received.find(
    (r) =>
      r.namespace === namespace && r.alertname === ALERT && r.status === 'resolved' && r.at >= fix,
  );
  return {
    'fault → pending in Prometheus': pending - fault,
    'fault → firing in Prometheus': firing - fault,
    ...(received === undefined
      ? {}
      : {
          'firing → received by the bot': received.at - firing,
          'received → message in channel': message.at - received.at,
        }),
    'message → diagnosis (or a note pointing to it) in thread': (via ?? answer).at - message.at,
    'fault → diagnosis in thread': answer.at - fault,
    'fix → gone from Prometheus': gone - fix,
    ...(receivedResolved === undefined
      ? {}
      : {
          'gone → resolved received by the bot': receivedResolved.at - gone,
          'received → message Resolved': resolved.at - receivedResolved.at,
        }),
    'fix → message Resolved': resolved.at - fix,
  };
}

type PromAlert = Awaited<ReturnType<typeof prometheusAlerts>>[number];

/** Polls Prometheus's alerts every 250 ms until `found` says when. */
async function poll(
  url: string,
  timeoutMs: number,
  found: (alerts: PromAlert[]) => boolean,
): Promise<PromAlert[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const alerts = await prometheusAlerts(url).catch(() => undefined);
    if (alerts !== undefined && found(alerts)) return alerts;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`Prometheus: timed out after ${timeoutMs} ms`);
}

const about = (namespace: string) => (alert: PromAlert) =>
  alert.labels.alertname === ALERT && alert.labels.namespace === namespace;

/** When the alert went pending (Prometheus's own `activeAt`) and was first seen firing. */
async function whenFiring(url: string, namespace: string, timeoutMs: number) {
  const alerts = await poll(url, timeoutMs, (all) =>
    all.some((a) => about(namespace)(a) && a.state === 'firing'),
  );
  const firing = Date.now();
  const activeAt = alerts
    .filter(about(namespace))
    .map((a) => Date.parse(a.activeAt ?? ''))
    .filter(Number.isFinite);
  return { pending: Math.min(firing, ...activeAt), firing };
}

async function whenGone(url: string, namespace: string, timeoutMs: number): Promise<number> {
  await poll(url, timeoutMs, (all) => !all.some(about(namespace)));
  return Date.now();
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '–' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
