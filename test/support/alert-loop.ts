import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { type Intervals, SHIPPED_RULES } from '../../src/runtime/local-monitoring.ts';
import type { Cluster } from '../../src/tools/kubernetes/cluster.ts';
import { eventually } from './sandbox.ts';
import type { FakeSlack, SlackCall } from './slack-api.ts';

/**
 * The on-call loop through a real Prometheus and Alertmanager, quickened for tests and
 * benchmarks: the shipped rules with their expressions' range windows and their `for` waits cut
 * from minutes to seconds (`[5m]` is `[5s]`), scraped and evaluated every second, and grouped,
 * sent and resent by the Alertmanager within a second or two. The shipped files stay as they are.
 */
export const QUICK_INTERVALS: Intervals = {
  scrape: '1s',
  evaluation: '1s',
  groupWait: '1s',
  groupInterval: '2s',
  repeatInterval: '1h',
  resendDelay: '1s',
};

/** How long a quickened rule holds before it fires (its range windows go from minutes to seconds). */
export const QUICK_FOR = '3s';

type Rules = { groups: { rules: { expr: string; for?: string }[] }[] };

export function quickRules(file = SHIPPED_RULES): string {
  const rules = parse(readFileSync(file, 'utf8')) as Rules;
  for (const group of rules.groups)
    for (const rule of group.rules) {
      rule.expr = rule.expr.replace(/\[(\d+)m\]/g, '[$1s]');
      if (rule.for !== undefined) rule.for = QUICK_FOR;
    }
  return stringify(rules);
}

type FiringAlert = { labels: Record<string, string>; state: string; activeAt?: string };

/** Prometheus's alerts now (pending and firing). */
export async function prometheusAlerts(url: string): Promise<FiringAlert[]> {
  const response = await fetch(`${url}/api/v1/alerts`, { signal: AbortSignal.timeout(2_000) });
  const body = (await response.json()) as { data: { alerts: FiringAlert[] } };
  return body.data.alerts;
}

/** What the broken workload prints before it exits with code 2. */
const LAST_WORDS = 'fatal: queue address missing';
const BROKEN = ['sh', '-c', `echo '${LAST_WORDS}'; exit 2`];
/**
 * A diagnosis of the broken workload: the crash's last log line (the pod-crashloop workflow's
 * check-logs step) or its exit code (the analyzers' crash-loop finding).
 */
export const DIAGNOSIS = new RegExp(`${LAST_WORDS}|exit code 2\\b`);
const HEALTHY = ['sleep', 'infinity'];

/**
 * A deployment of two replicas running a stand-in image (the sandbox runs what its command
 * says), waited for until both are available; `break` makes its new pods print LAST_WORDS and
 * exit, so they crash-loop; `fix` puts the command back and the rollout heals.
 */
export async function crashableDeployment(cluster: Cluster, namespace: string, name: string) {
  const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
  const setCommand = (command: string[]) =>
    cluster.write('PATCH', path, {
      body: { spec: { template: { spec: { containers: [{ name, command }] } } } },
      contentType: 'application/strategic-merge-patch+json',
    });
  await cluster.apps.createNamespacedDeployment({
    namespace,
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels: { app: name } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [{ name, image: 'docker.io/library/busybox:1.36', command: HEALTHY }],
          },
        },
      },
    },
  });
  await eventually(
    async () => {
      const created = await cluster.apps.readNamespacedDeployment({ namespace, name });
      return created.status?.availableReplicas === 2 ? true : undefined;
    },
    15_000,
    `deployment ${namespace}/${name} to be available`,
  );
  return { break: () => setCommand(BROKEN), fix: () => setCommand(HEALTHY) };
}

const text = (call: SlackCall) => JSON.stringify(call.args);
export const tsOf = (call: SlackCall) => String((call.result as { ts?: string }).ts);

/**
 * The diagnosis of the alert group whose message is `root`: the first message in its thread that
 * says what the broken workload did (DIAGNOSIS), or, when its alerts joined an investigation under
 * way about the same workload, the first in the thread of the group its note names.
 */
export async function diagnosisOf(
  slack: FakeSlack,
  root: SlackCall,
  timeoutMs: number,
): Promise<{ thread: string; answer: SlackCall; via?: SlackCall }> {
  const inThread = (thread: string) => (call: SlackCall) =>
    call.args.thread_ts === thread &&
    (DIAGNOSIS.test(text(call)) || /Already under investigation/.test(text(call)));
  const first = await slack.waitForCall('chat.postMessage', inThread(tsOf(root)), timeoutMs);
  const holder = /the diagnosis goes in the thread of (\w+)/.exec(text(first))?.[1];
  if (holder === undefined) return { thread: tsOf(root), answer: first };
  const holderRoot = slack.calls.find(
    (call) =>
      call.method === 'chat.postMessage' &&
      call.args.channel === root.args.channel &&
      call.args.thread_ts === undefined &&
      new RegExp(`Firing: ${holder}\\b`).test(text(call)),
  );
  if (holderRoot === undefined) throw new Error(`no message of ${holder}, which the note names`);
  const answer = await slack.waitForCall(
    'chat.postMessage',
    (call) => call.args.thread_ts === tsOf(holderRoot) && DIAGNOSIS.test(text(call)),
    timeoutMs,
  );
  return { thread: tsOf(holderRoot), answer, via: first };
}
