import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { FakeDiscord, type ShownMessage } from '../support/discord-api.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';

/**
 * On call when people delete what the bot posted, on Slack and Discord at once: a deleted alert
 * group message is posted anew once, however many notifications find it gone, and edited after;
 * the replies meant for a deleted thread are posted once, where people see them, and the ones
 * after the group's new message go in its thread.
 */
const sandbox = useSandbox(['oom-crashloop']);
let slack: FakeSlack;
let discord: FakeDiscord;
let app: TestApp;
let ops: string;
const ONCALL = 'C0ONCALL';

beforeAll(async () => {
  slack = await FakeSlack.start();
  discord = await FakeDiscord.start();
  ops = discord.channels.ops;
  const binding = { clusters: ['sandbox'], namespaces: ['*'], maxTier: 'confirm' };
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      { ...binding, channel: `slack:${ONCALL}`, approvers: ['slack:U0SRE'] },
      {
        ...binding,
        channel: `discord:${ops}`,
        approvers: [`discord:role:${discord.roles.approver}`],
      },
    ],
    routes: [
      { match: { team: 'web' }, channels: [`slack:${ONCALL}`] },
      { match: { team: 'shop' }, channels: [`discord:${ops}`] },
    ],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: file,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
    // Slack keeps its own pace: the Slack case deletes a message before its thread's first reply,
    // which that pace holds back. The Discord case waits for each step, so a short pace will do.
    DISCORD_PACE_MS: '100',
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
  await discord?.close();
});

/** A notification for one group: one alert per pod, all about one workload in `payments`. */
function notification(
  alertname: string,
  team: 'web' | 'shop',
  pods: readonly string[],
  status: 'firing' | 'resolved' = 'firing',
) {
  const common = { alertname, namespace: 'payments', team };
  const alerts = pods.map((pod, i) => ({
    status,
    labels: { ...common, pod },
    annotations: { summary: `${alertname} on ${pod}` },
    startsAt: '2026-12-06T10:00:00Z',
    ...(status === 'resolved' ? { endsAt: '2026-12-06T10:40:00Z' } : {}),
    generatorURL: 'http://prometheus.example/graph',
    fingerprint: `${alertname}-${i}`,
  }));
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'coxswain',
    groupLabels: { alertname },
    commonLabels: alerts.length === 1 ? (alerts[0]?.labels ?? common) : common,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example',
    alerts,
  };
}

const pods = (workload: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${workload}-7d9f8b6c5d-p000${i}`);

describe('messages people delete', () => {
  it('Slack: replies to a deleted group message land once in the channel; the group is posted anew once, and its new thread takes what follows', async () => {
    const text = (call: SlackCall) => JSON.stringify(call.args);
    const topLevel = (pattern: RegExp) => (call: SlackCall) =>
      call.method === 'chat.postMessage' &&
      call.args.thread_ts === undefined &&
      pattern.test(text(call));
    const threadOf = (call: SlackCall) =>
      (call.result.message as { thread_ts?: string } | undefined)?.thread_ts;
    await postAlert(app.baseUrl, notification('CheckoutErrors', 'web', pods('payments-api', 1)));
    const first = await slack.waitForCall(
      'chat.postMessage',
      topLevel(/Firing: CheckoutErrors/),
      20_000,
    );
    const root = String(first.result.ts);

    // Deleted before its thread has a reply: the channel paces the bot's messages a second apart.
    slack.deleteMessage(ONCALL, root);
    const answer = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.thread_ts === root && /Answered by the analyzers/.test(text(c)),
      30_000,
    );
    const meantForRoot = slack.calls.filter(
      (c) => c.method === 'chat.postMessage' && c.args.thread_ts === root,
    );

    expect(threadOf(answer)).toBeUndefined();
    expect(meantForRoot.every((c) => c.result.ok === true && threadOf(c) === undefined)).toBe(true);
    expect(
      slack.posted(ONCALL).filter((m) => /Answered by the analyzers/.test(JSON.stringify(m))),
    ).toMatchObject([{ ts: answer.result.ts }]);
    expect(slack.posted(ONCALL).find((m) => m.ts === answer.result.ts)?.thread_ts).toBeUndefined();

    await postAlert(app.baseUrl, notification('CheckoutErrors', 'web', pods('payments-api', 2)));
    await postAlert(app.baseUrl, notification('CheckoutErrors', 'web', pods('payments-api', 3)));
    const anew = await slack.waitForCall(
      'chat.postMessage',
      (c) => topLevel(/Firing: CheckoutErrors/)(c) && c !== first,
      20_000,
    );
    const root2 = String(anew.result.ts);
    await eventually(
      async () =>
        slack
          .posted(ONCALL)
          .find((m) => m.ts === root2 && /CheckoutErrors \(3 alerts\)/.test(JSON.stringify(m))),
      20_000,
      'the new message to show the group with its three alerts',
    );
    await postAlert(
      app.baseUrl,
      notification('CheckoutLatency', 'web', ['payments-api-7d9f8b6c5d-p0009']),
    );
    const joined = await slack.waitForCall(
      'chat.postMessage',
      (c) => /CheckoutLatency joined this investigation/.test(text(c)),
      20_000,
    );
    await postAlert(
      app.baseUrl,
      notification('CheckoutErrors', 'web', pods('payments-api', 3), 'resolved'),
    );
    const resolved = await slack.waitForCall(
      'chat.update',
      (c) => /Resolved: CheckoutErrors/.test(text(c)),
      20_000,
    );

    expect(root2).not.toBe(root);
    expect(slack.calls.filter(topLevel(/Firing: CheckoutErrors/))).toHaveLength(2);
    expect(joined.args.thread_ts).toBe(root2);
    expect(threadOf(joined)).toBe(root2);
    expect(resolved.args.ts).toBe(root2);
    expect(
      slack
        .posted(ONCALL)
        .filter(
          (m) => m.thread_ts === undefined && /(Firing|Resolved): CheckoutErrors/.test(m.text),
        ),
    ).toMatchObject([{ ts: root2 }]);
  }, 120_000);

  it('Discord: a reply whose thread was deleted goes to the channel once; the deleted group message is posted anew once, and its new thread takes what follows', async () => {
    const shown = (m: ShownMessage) => JSON.stringify([m.content, m.embeds]);
    const everywhere = (pattern: RegExp) =>
      discord.messages().filter((m) => pattern.test(shown(m)));
    const groupPosts = () =>
      discord.requests.filter(
        (r) =>
          r.method === 'POST' &&
          r.path === `/channels/${ops}/messages` &&
          /Firing: CartErrors/.test(JSON.stringify(r.body)),
      );
    await postAlert(app.baseUrl, notification('CartErrors', 'shop', pods('checkout', 1)));
    const group = await discord.waitFor(
      (d) => d.messages(ops).find((m) => /Firing: CartErrors/.test(shown(m))),
      20_000,
    );
    await discord.waitFor((d) => d.messages(group.id).length > 0, 30_000);

    discord.deleteThread(group.id);
    await postAlert(
      app.baseUrl,
      notification('CartLatency', 'shop', ['checkout-7d9f8b6c5d-p0009']),
    );
    const note = await discord.waitFor(
      (d) => d.messages(ops).find((m) => /CartLatency joined this investigation/.test(shown(m))),
      20_000,
    );

    expect(everywhere(/CartLatency joined this investigation/)).toEqual([note]);
    expect(
      discord.requests.some(
        (r) =>
          r.method === 'POST' && r.path === `/channels/${group.id}/messages` && r.status === 404,
      ),
    ).toBe(true);

    discord.deleteMessage(ops, group.id);
    await postAlert(app.baseUrl, notification('CartErrors', 'shop', pods('checkout', 2)));
    await postAlert(app.baseUrl, notification('CartErrors', 'shop', pods('checkout', 3)));
    const anew = await discord.waitFor(
      (d) => d.messages(ops).find((m) => /Firing: CartErrors \W+3 alerts/.test(shown(m))),
      20_000,
    );
    await postAlert(
      app.baseUrl,
      notification('CartSaturation', 'shop', ['checkout-7d9f8b6c5d-p0008']),
    );
    const joined = await discord.waitFor(
      (d) => d.messages(anew.id).find((m) => /CartSaturation joined/.test(shown(m))),
      20_000,
    );
    await postAlert(
      app.baseUrl,
      notification('CartErrors', 'shop', pods('checkout', 3), 'resolved'),
    );
    await discord.waitFor(
      (d) => d.messages(ops).find((m) => m.id === anew.id && /Resolved: CartErrors/.test(shown(m))),
      20_000,
    );

    expect(anew.id).not.toBe(group.id);
    expect(groupPosts()).toHaveLength(2);
    expect(everywhere(/CartSaturation joined this investigation/)).toEqual([joined]);
    expect(
      discord.messages(ops).filter((m) => /(Firing|Resolved): CartErrors/.test(shown(m))),
    ).toMatchObject([{ id: anew.id }]);
  }, 120_000);
});
