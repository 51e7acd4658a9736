import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { FakeDiscord } from '../support/discord-api.ts';
import { alertFixture } from '../support/fixtures.ts';
import { FakeSlack } from '../support/slack-api.ts';

/**
 * An alert written by an attacker (who can set labels, annotations or the generatorURL of a rule
 * that fires) reaches real Slack and Discord clients through the real bot, and pings no one and
 * hides no link. The webhook here needs its token, as in production.
 */
const TOKEN = 'alertmanager-token-0123456789';
const HOSTILE_URL = 'https://x/a><!channel> <https://evil|Approve here';
const ENCODED_URL = 'https://x/a%3E%3C!channel%3E%20%3Chttps://evil%7CApprove%20here';
let slack: FakeSlack;
let discord: FakeDiscord;
let app: TestApp;

beforeAll(async () => {
  slack = await FakeSlack.start();
  discord = await FakeDiscord.start();
  const file = writeConfigFile({
    routes: [{ match: {}, channels: ['slack:C0ALERTS', `discord:${discord.channels.alerts}`] }],
  });
  app = await startTestApp({
    ALERTMANAGER_TOKEN: TOKEN,
    COXSWAIN_CONFIG: file,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
  });
}, 60_000);

afterAll(async () => {
  await app.stop();
  await discord.close();
  await slack.close();
});

function hostileAlert() {
  const payload = alertFixture('firing') as {
    alerts: {
      labels: Record<string, string>;
      annotations: Record<string, string>;
      generatorURL: string;
    }[];
  };
  const alert = payload.alerts[0];
  if (alert === undefined) throw new Error('fixture without an alert');
  alert.generatorURL = HOSTILE_URL;
  alert.labels.pod = '<!here> <@U0BOSS> @everyone';
  alert.annotations.summary = '@everyone <@&123> <!subteam^S0ONCALL> look';
  alert.annotations.description = '[Approve here](https://evil.example/approve) or <#C0SECRET>';
  return payload;
}

describe('a hostile alert', () => {
  it('reaches Slack with no mention and no disguised link', async () => {
    const response = await postAlert(app.baseUrl, hostileAlert(), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(response.status).toBe(202);

    const call = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === 'C0ALERTS',
      20_000,
    );

    const posted = `${String(call.args.text)} ${JSON.stringify(call.args.blocks)}`;
    expect(posted).not.toMatch(/<[!@#]/);
    expect(posted).not.toMatch(/@(everyone|here|channel)\b/);
    expect(posted).not.toContain('|Approve here>');
    expect(posted).toContain(`<${ENCODED_URL}|Source>`);
    expect(posted).toContain('Approve here (<https://evil.example/approve>)');
    // Every `<…>` left is a link whose text is the product's label or the URL itself.
    const tags = [...posted.matchAll(/<[^>]*>/g)].map((m) => m[0]);
    expect(
      tags.every((tag) =>
        /^<https?:\/\/[^\s|<>]+(\|(Source|Runbook|Alertmanager|Silence))?>$/.test(tag),
      ),
    ).toBe(true);
  });

  it('reaches Discord with no mention, no disguised link, and allowed_mentions parsing nothing', async () => {
    const alerts = discord.channels.alerts;

    const shown = await discord.waitFor(
      (d) => d.messages(alerts).find((m) => JSON.stringify(m.embeds).includes('Firing')),
      20_000,
    );

    const request = discord.requests.find(
      (r) => r.method === 'POST' && r.path === `/channels/${alerts}/messages`,
    );
    expect((request?.body as { allowed_mentions?: unknown } | undefined)?.allowed_mentions).toEqual(
      {
        parse: [],
      },
    );
    const embeds = JSON.stringify(shown.embeds);
    expect(shown.content).toBe('');
    expect(embeds).not.toMatch(/(?<!\\\\)<[@#]/);
    expect(embeds).not.toMatch(/@(everyone|here)\b/);
    expect(embeds).not.toContain('[Approve here]');
    expect(embeds).toContain(`[Source](${ENCODED_URL})`);
    expect(embeds).toContain('Approve here (<https://evil.example/approve>)');
  });
});
