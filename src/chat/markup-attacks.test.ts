import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertFixture, firstAlert } from '../../test/support/fixtures.ts';
import { renderAlertGroup } from '../alerts/render-alert.ts';
import { AlertmanagerPayload } from '../alerts/schema.ts';
import { discordMarkdown, escapeDiscord } from './discord/markdown.ts';
import { renderDiscord } from './discord/render.ts';
import { ChatMessage, type ChatMessageInput, fitMessage } from './message.ts';
import { mrkdwn } from './slack/mrkdwn.ts';
import { renderSlack } from './slack/render.ts';

type Hostile = {
  generatorURL: string;
  slackMentions: string[];
  discordMentions: string[];
  disguisedLinks: string[];
  lookalikes: string[];
};
const hostile = JSON.parse(
  readFileSync(new URL('../../test/fixtures/markup/hostile.json', import.meta.url), 'utf8'),
) as Hostile;
const ATTACKS = [
  hostile.generatorURL,
  ...hostile.slackMentions,
  ...hostile.discordMentions,
  ...hostile.disguisedLinks,
  ...hostile.lookalikes,
];

/** A message with the attack in every place untrusted text can go. */
function everywhere(attack: string): ChatMessage {
  return ChatMessage.parse(
    fitMessage({
      headline: `Firing: ${attack}`,
      text: `The agent says: ${attack} — **bold** and \`code\`\n- a list item`,
      fields: [{ label: attack, value: attack }],
      sections: [
        { title: attack, text: attack, code: attack, fields: [{ label: 'x', value: attack }] },
      ],
      footer: attack,
    } satisfies ChatMessageInput),
  );
}

function slackTexts(message: ChatMessage): string[] {
  const { text, blocks } = renderSlack(message);
  const texts = [text];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      if (object.type === 'mrkdwn' && typeof object.text === 'string') texts.push(object.text);
      Object.values(object).forEach(walk);
    }
  };
  walk(blocks);
  return texts;
}

function discordTexts(message: ChatMessage): string[] {
  const { content, embeds } = renderDiscord(message);
  // The footer is left out: Discord shows it as plain text, reading no mention or link in it.
  return [
    content,
    ...embeds.flatMap((e) => [
      e.title ?? '',
      e.description ?? '',
      ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
    ]),
  ];
}

/** What Slack would read as markup: any `<…>` but a bare http(s) URL shown as itself. */
function slackMarkup(text: string): string[] {
  const found = [...text.matchAll(/<[^>]*>/g)].map((m) => m[0]);
  const broadcasts = [...text.matchAll(/@(channel|here|everyone)\b/gi)].map((m) => m[0]);
  return [...found.filter((tag) => !/^<https?:\/\/[^|<>\s]+>$/.test(tag)), ...broadcasts];
}

/**
 * What Discord would read as a mention or a link with a label: unescaped `<@`, `](`, outside code
 * blocks (where Discord reads neither); `@everyone` and `@here` anywhere.
 */
function discordMarkup(text: string): string[] {
  const outsideCode = text.replace(/```[\s\S]*?```/g, '');
  return [
    ...[...outsideCode.matchAll(/(?<!\\)<[@#/!:]/g)].map((m) => m[0]),
    ...[...outsideCode.matchAll(/(?<!\\)\]\s*\(/g)].map((m) => m[0]),
    ...[...text.matchAll(/@(everyone|here)\b/gi)].map((m) => m[0]),
  ];
}

describe('untrusted text in Slack', () => {
  it.each(ATTACKS)('makes no mention or link from %j anywhere in a message', (attack) => {
    const texts = slackTexts(everywhere(attack));

    expect(texts.flatMap(slackMarkup)).toEqual([]);
  });

  it('turns the hostile generatorURL into an encoded link under the product’s label', () => {
    const payload = AlertmanagerPayload.parse(alertFixture('firing'));
    firstAlert(payload).generatorURL = hostile.generatorURL;

    const { blocks } = renderSlack(ChatMessage.parse(renderAlertGroup(payload, new Date())));

    const links = JSON.stringify(blocks.filter((b) => b.type === 'context'));
    expect(links).toContain(
      '<https://x/a%3E%3C!channel%3E%20%3Chttps://evil%7CApprove%20here|Source>',
    );
    expect(links).not.toContain('<!channel>');
    expect(links).not.toContain('|Approve here');
  });

  it('shows a model’s link by its real URL and keeps bold, code and lists', () => {
    const message = everywhere('[Approve here](https://evil.example/approve)');

    const [, headline, text] = slackTexts(message);

    expect(headline).toContain('[Approve here](https://evil.example/approve)');
    expect(text).toContain('Approve here (<https://evil.example/approve>)');
    expect(text).toContain('*bold*');
    expect(text).toContain('`code`');
    expect(text).toContain('\n- a list item');
  });

  it('sends every mrkdwn text verbatim, so Slack finds no mention of its own', () => {
    const { blocks } = renderSlack(everywhere('@here'));

    const objects = JSON.stringify(blocks).match(/"type":"mrkdwn","text":"[^"]*","verbatim":true/g);
    expect(objects?.length).toBe(JSON.stringify(blocks).match(/"type":"mrkdwn"/g)?.length);
  });

  it('shows a javascript: link as the text it is', () => {
    const [, , text] = slackTexts(everywhere('[click](javascript:alert(1))'));

    expect(text).toContain('[click](javascript:alert(1))');
  });
});

describe('untrusted text in Discord', () => {
  it.each(ATTACKS)('makes no mention or link from %j anywhere in a message', (attack) => {
    const texts = discordTexts(everywhere(attack));

    expect(texts.flatMap(discordMarkup)).toEqual([]);
    expect(renderDiscord(everywhere(attack)).embeds[0]?.footer?.text).not.toMatch(
      /@(everyone|here)\b/i,
    );
  });

  it('links the hostile generatorURL, encoded, only under the product’s label', () => {
    const payload = AlertmanagerPayload.parse(alertFixture('firing'));
    firstAlert(payload).generatorURL = hostile.generatorURL;

    const rendered = renderDiscord(ChatMessage.parse(renderAlertGroup(payload, new Date())));

    const description = rendered.embeds[0]?.description ?? '';
    expect(description).toContain(
      '[Source](https://x/a%3E%3C!channel%3E%20%3Chttps://evil%7CApprove%20here)',
    );
    expect(description).not.toContain('[Approve here]');
  });

  it('shows a model’s link by its real URL and keeps bold, code and lists', () => {
    const description = renderDiscord(everywhere('[Approve here](https://evil.example/approve)'))
      .embeds[0]?.description;

    expect(description).toContain('Approve here (<https://evil.example/approve>)');
    expect(description).toContain('**bold** and `code`\n- a list item');
  });

  it('shows mentions and lookalikes as inert text, and the plain parts escaped', () => {
    const embed = renderDiscord(everywhere('<@&123> and @everyone')).embeds[0];

    expect(embed?.title).toBe('Firing: \\<@&123\\> and @\u200beveryone');
    expect(embed?.description).toContain('\\<@&123> and @\u200beveryone');
    expect(embed?.footer?.text).toBe('<@&123> and @\u200beveryone');
  });
});

describe('escaping time', () => {
  it('stays linear on long adversarial runs', () => {
    const inputs = [
      `https://a.example/${'.'.repeat(200_000)}x`,
      '[a]('.repeat(50_000),
      `${']'.repeat(100_000)}${' '.repeat(100_000)}(`,
      '@'.repeat(200_000),
      '<'.repeat(200_000),
      `${' \n'.repeat(100_000)}- item`,
    ];
    const started = performance.now();

    for (const input of inputs) {
      mrkdwn(input);
      discordMarkdown(input);
      escapeDiscord(input);
    }

    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
