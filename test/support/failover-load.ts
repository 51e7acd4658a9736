import type { FakeSlack } from './slack-api.ts';

/**
 * Alertmanager's side of a Redis failover: a steady stream of alert groups, one new group every
 * EVERY_MS (20 a second), each posted again every 500 ms while it is answered 503, as
 * Alertmanager retries a 5xx; and what came of it in the channel. The failover test and the
 * `sentinel-failover` bench share it.
 */
const EVERY_MS = 50;
const KILL_AFTER = 60;
const AFTER_RECOVERY = 40;
const MAX_GROUPS = 600;

/** An Alertmanager notification of one firing alert, its group named by `alertname`. */
export function notification(alertname: string) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'coxswain',
    groupLabels: { alertname },
    commonLabels: { alertname, severity: 'warning' },
    commonAnnotations: { summary: 'Steady load' },
    externalURL: 'http://alertmanager.example',
    alerts: [
      {
        status: 'firing',
        labels: { alertname, severity: 'warning' },
        annotations: { summary: 'Steady load' },
        startsAt: '2026-12-07T10:00:00Z',
        generatorURL: 'http://prometheus.example/graph',
        fingerprint: `fp-${alertname}`,
      },
    ],
  };
}

const groupName = (group: number) => `Load${String(group).padStart(4, '0')}`;

export type Answer = { group: number; at: number; status: number | 'hang' | 'error' };

/** One post, answered or not within 10 s (a hang is a failure the test reports, not a wait). */
async function post(baseUrl: string, group: number): Promise<Answer> {
  try {
    const response = await fetch(`${baseUrl}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(notification(groupName(group))),
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    return { group, at: Date.now(), status: response.status };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return { group, at: Date.now(), status: timedOut ? 'hang' : 'error' };
  }
}

/** Posts a group until it is accepted, as Alertmanager retries a 5xx (here every 500 ms). */
async function deliver(baseUrl: string, group: number, answers: Answer[], stopAt: () => number) {
  for (;;) {
    const answer = await post(baseUrl, group);
    answers.push(answer);
    if (answer.status !== 503 || Date.now() > stopAt()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * New groups every EVERY_MS; the primary killed after KILL_AFTER groups; new groups stop
 * AFTER_RECOVERY groups after the first 2xx that follows a 503 (or at MAX_GROUPS).
 */
export async function driveLoad(baseUrl: string, killPrimary: () => Promise<void>) {
  const answers: Answer[] = [];
  const sending: Promise<void>[] = [];
  let recoveredAt: number | undefined;
  let killedAt: number | undefined;
  let retryUntil = Number.POSITIVE_INFINITY;
  for (let group = 0; group < MAX_GROUPS; group++) {
    if (group === KILL_AFTER) {
      killedAt = Date.now();
      await killPrimary();
    }
    recoveredAt ??= firstRecovery(answers);
    if (
      recoveredAt !== undefined &&
      group >= firstGroupAfter(answers, recoveredAt) + AFTER_RECOVERY
    )
      break;
    sending.push(deliver(baseUrl, group, answers, () => retryUntil));
    await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
  }
  // Alertmanager would go on retrying; the test gives the last retries 20 s.
  retryUntil = Date.now() + 20_000;
  await Promise.all(sending);
  return { answers, killedAt };
}

/** When the first 2xx after the first 503 came, if it has. */
export function firstRecovery(answers: Answer[]): number | undefined {
  const refused = answers.filter((a) => a.status === 503).map((a) => a.at);
  if (refused.length === 0) return undefined;
  const first503 = Math.min(...refused);
  const after = answers.filter((a) => a.status === 202 && a.at > first503).map((a) => a.at);
  return after.length === 0 ? undefined : Math.min(...after);
}

function firstGroupAfter(answers: Answer[], at: number): number {
  return Math.max(...answers.filter((a) => a.at <= at).map((a) => a.group));
}

/** Top-level messages in the channel per group (thread replies are not the group's message). */
export function messagesPerGroup(slack: FakeSlack, channel: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const message of slack.posted(channel)) {
    if (message.thread_ts !== undefined) continue;
    const match = /Load(\d{4})/.exec(JSON.stringify([message.text, message.blocks]));
    if (match?.[1] === undefined) continue;
    const group = Number(match[1]);
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return counts;
}

/** The figures of one run: the 503 window (first 503 to the first 2xx after it) and the counts. */
export function failoverFigures(
  answers: Answer[],
  killedAt: number,
  delivered: Map<number, number>,
) {
  const refused = answers.filter((a) => a.status === 503);
  const first503 = Math.min(...refused.map((a) => a.at));
  const recovered = firstRecovery(answers);
  return {
    groups: new Set(answers.map((a) => a.group)).size,
    posts: answers.length,
    refused: refused.length,
    windowMs: recovered === undefined ? undefined : recovered - first503,
    first503AfterKillMs: first503 - killedAt,
    accepted: new Set(answers.filter((a) => a.status === 202).map((a) => a.group)).size,
    delivered: delivered.size,
    duplicated: [...delivered.values()].filter((n) => n > 1).length,
  };
}
