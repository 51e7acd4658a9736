import type { Cluster } from '../../src/tools/kubernetes/cluster.ts';
import { sleep } from './chaos.ts';
import type { FakeSlack } from './slack-api.ts';
import { interactiveForm } from './slack-payloads.ts';

/**
 * Approval cards in Slack for the chaos suites: deployments of their own to propose changes to
 * (one each, so that every approved change is counted on its own target), the cards as posted,
 * and clicks on Approve that go on until Slack hears a 200.
 */
export const target = (i: number) => `web-${String(i).padStart(2, '0')}`;

/** Namespace `chaos` with `count` deployments of one replica, `web-00`…. */
export async function chaosDeployments(cluster: Cluster, count: number): Promise<void> {
  await cluster.core.createNamespace({ body: { metadata: { name: 'chaos' } } });
  for (let i = 0; i < count; i++) {
    const labels = { app: target(i) };
    await cluster.apps.createNamespacedDeployment({
      namespace: 'chaos',
      body: {
        metadata: { name: target(i), namespace: 'chaos', labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      },
    });
  }
}

/** Writes (not dry runs) the sandbox served to a chaos deployment or its scale. */
export function writesTo(
  requests: readonly { method: string; path: string; dryRun: boolean }[],
  name: string,
): number {
  const path = `/apis/apps/v1/namespaces/chaos/deployments/${name}`;
  return requests.filter(
    (r) =>
      ['PATCH', 'PUT', 'POST'].includes(r.method) &&
      !r.dryRun &&
      (r.path === path || r.path.startsWith(`${path}/`)),
  ).length;
}

export type Card = { id: string; channel: string; ts: string; thread?: string; actionId: string };

/** A proposal's card as first posted, with its Approve button; undefined until it is. */
export function cardOf(slack: FakeSlack, id: string): Card | undefined {
  return firstCard(slack, (card) => card.id === id);
}

/** The first card posted in a thread; undefined until it is. */
export function cardInThread(slack: FakeSlack, thread: string): Card | undefined {
  return firstCard(slack, (card) => card.thread === thread);
}

function firstCard(slack: FakeSlack, wanted: (card: Card) => boolean): Card | undefined {
  for (const call of slack.calls) {
    if (call.method !== 'chat.postMessage' || call.rateLimited) continue;
    const card = asCard(call.args, call.result.ts);
    if (card !== undefined && wanted(card)) return card;
  }
  return undefined;
}

type Block = { type?: string; elements?: { action_id?: string; value?: string }[] };

function asCard(args: Record<string, unknown>, ts: unknown): Card | undefined {
  const blocks = (Array.isArray(args.blocks) ? args.blocks : []) as Block[];
  const button = blocks
    .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
    .find((e) => e.action_id?.startsWith('coxswain.approve.'));
  if (button?.action_id === undefined || button.value === undefined || typeof ts !== 'string')
    return undefined;
  const thread = args.thread_ts;
  return {
    id: button.value,
    channel: String(args.channel),
    ts,
    ...(typeof thread === 'string' ? { thread } : {}),
    actionId: button.action_id,
  };
}

export type ClickStatus = number | 'error';

/**
 * Clicks Approve, signed, on the bot's `/slack/events`, again every 250 ms while it is refused
 * or unanswered, as a person clicks again when Slack shows an error; the statuses, last first.
 */
export async function clickApprove(
  slack: FakeSlack,
  url: () => string,
  card: Card,
  user: string,
): Promise<ClickStatus[]> {
  const statuses: ClickStatus[] = [];
  for (let attempt = 0; attempt < 120; attempt++) {
    const payload = slack.blockActions({
      actionId: card.actionId,
      value: card.id,
      channel: card.channel,
      user,
      messageTs: card.ts,
      ...(card.thread === undefined ? {} : { threadTs: card.thread }),
    });
    const reply = await slack
      .sendHttp(url(), interactiveForm(payload), { contentType: 'form' })
      .catch(() => undefined);
    statuses.unshift(reply?.status ?? 'error');
    if (reply?.status === 200) break;
    await sleep(250);
  }
  return statuses;
}
