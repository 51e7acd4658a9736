import { describe, expect, it } from 'vitest';
import { renderDiscord } from './discord/render.ts';
import { ChatMessage, type ChatMessageInput } from './message.ts';
import { mrkdwn, renderSlack } from './slack/render.ts';

const longEvidence = Array.from(
  { length: 80 },
  (_, i) => `line ${i + 1}: OOMKilled, exit code 137`,
).join('\n');
const message = (input: ChatMessageInput) => ChatMessage.parse(input);

const diagnosis = message({
  headline: 'container api of pod payments-api-7f9c-x2k4q is killed for running out of memory',
  text: [
    'Cause: the container uses more memory than its limit allows and the kernel kills it',
    'Confidence: certain — the last termination reason is OOMKilled',
    '',
    '3 problems in namespace payments of cluster prod: 2 critical, 1 other. 1 fix proposed; nothing has been changed.',
  ].join('\n'),
  tone: 'critical',
  fields: [{ label: 'Cluster', value: 'prod' }],
  sections: [
    { title: 'CRITICAL · payments-api is killed for running out of memory', code: longEvidence },
    { title: 'Proposed fix (confirm tier)', code: '-  memory: 256Mi\n+  memory: 384Mi' },
  ],
  buttons: [{ action: 'command', label: 'Diagnose payments', value: 'diagnose -n payments' }],
  footer: 'dana asked: diagnose',
});

describe('renderSlack', () => {
  it('puts the lead first, cuts long evidence to its first lines, and keeps the buttons', () => {
    const { text, blocks } = renderSlack(diagnosis);

    expect(text).toBe(diagnosis.headline);
    expect(JSON.stringify(blocks[0])).toContain('*container api of pod payments-api-7f9c-x2k4q');
    expect(JSON.stringify(blocks[1])).toContain(
      'Cause: the container uses more memory than its limit allows and the kernel kills it\\nConfidence: certain — the last termination reason is OOMKilled',
    );
    const code = blocks.map((b) => JSON.stringify(b)).find((b) => b.includes('line 1:')) ?? '';
    expect(code).toContain('line 12:');
    expect(code).not.toContain('line 13:');
    expect(code).toContain('68 more lines');
    const actions = blocks.find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements[0]).toMatchObject({
      action_id: 'coxswain.command.0',
      value: 'diagnose -n payments',
    });
    expect(blocks.at(-1)?.type).toBe('context');
  });

  it('stays within Slack’s limits however long the message, and escapes control characters', () => {
    const huge = message({
      headline: 'a <b> & c',
      sections: Array.from({ length: 20 }, (_, i) => ({
        title: `part ${i}`,
        text: 'x'.repeat(3000),
        code: 'y\n'.repeat(500),
      })),
      buttons: [{ action: 'command', label: 'Status', value: 'status' }],
    });

    const { blocks } = renderSlack(huge);

    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const block of blocks) {
      const text = (block.text as { text?: string } | undefined)?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(3000);
    }
    expect(JSON.stringify(blocks[0])).toContain('a &lt;b&gt; &amp; c');
    expect(blocks.some((b) => b.type === 'actions')).toBe(true);
  });

  it('gives each link its own element, escapes the notification text, and drops empty text', () => {
    const url = `https://grafana.example/d/abc?${'var=x&'.repeat(300)}`;
    const rendered = renderSlack(
      message({
        headline: '"<!channel>" is not an app name',
        text: '  ',
        links: Array.from({ length: 5 }, (_, i) => ({ label: `Dashboard ${i}`, url })),
      }),
    );

    expect(rendered.text).toBe('"&lt;!channel&gt;" is not an app name');
    expect(rendered.blocks).toHaveLength(2);
    const links = rendered.blocks[1] as { elements: { text: string }[] };
    expect(links.elements).toHaveLength(5);
    for (const element of links.elements) expect(element.text.length).toBeLessThanOrEqual(3000);
  });
  it('keeps a fence inside code from ending the code block', () => {
    const message = ChatMessage.parse({
      headline: 'Logs',
      sections: [{ code: 'before\n```\n*not bold* <!channel>\n```\nafter' }],
    });

    const blocks = JSON.stringify(renderSlack(message).blocks);
    const code = /```([\s\S]*?)```/.exec(
      JSON.parse(blocks)
        .map((b: { text?: { text: string } }) => b.text?.text ?? '')
        .join('\n'),
    );

    expect(code?.[1]).toContain('after');
    expect(blocks).not.toContain('<!channel>');
  });
});

describe('mrkdwn', () => {
  it('turns the agents’ Markdown into Slack’s marks, after escaping, links by their URL', () => {
    expect(mrkdwn('## Cause\n**OOMKilled** at <256Mi>; see [runbook](https://r.example/oom)')).toBe(
      '*Cause*\n*OOMKilled* at &lt;256Mi&gt;; see runbook (<https://r.example/oom>)',
    );
  });
});

describe('renderDiscord', () => {
  it('makes an embed with the headline as title, the lead first, trimmed code and buttons', () => {
    const rendered = renderDiscord(diagnosis);
    const embed = rendered.embeds[0];

    expect(embed?.title).toBe(diagnosis.headline);
    expect(embed?.description).toMatch(
      /^Cause: the container uses more memory .*\nConfidence: certain — /,
    );
    expect(embed?.description).toContain('```\nline 1:');
    expect(embed?.description).toContain('68 more lines');
    expect(embed?.color).toBe(0xd93848);
    expect(rendered.components[0]?.components[0]).toEqual({
      type: 2,
      style: 2,
      label: 'Diagnose payments',
      custom_id: 'command:diagnose -n payments',
    });
  });

  it('stays within Discord’s embed limits and never shows raw JSON', () => {
    const huge = message({
      headline: 'h'.repeat(300),
      sections: Array.from({ length: 20 }, (_, i) => ({
        title: `part ${i}`,
        text: 'x'.repeat(3000),
      })),
    });

    const embed = renderDiscord(huge).embeds[0];
    const total = (embed?.title?.length ?? 0) + (embed?.description?.length ?? 0);

    expect(embed?.title?.length).toBeLessThanOrEqual(256);
    expect(embed?.description?.length).toBeLessThanOrEqual(4096);
    expect(total).toBeLessThanOrEqual(6000);
    expect(embed?.description).toContain('more parts not shown');
    expect(embed?.description).not.toContain('{"');
  });

  it('keeps the whole embed within 6,000 characters with many long fields', () => {
    const alert = message({
      headline: 'Firing: KubePodCrashLooping',
      text: 't'.repeat(2_000),
      fields: Array.from({ length: 10 }, (_, i) => ({
        label: `label ${i}`,
        value: 'v'.repeat(400),
      })),
      footer: 'f'.repeat(300),
    });

    const embed = renderDiscord(alert).embeds[0];
    const total =
      (embed?.title?.length ?? 0) +
      (embed?.description?.length ?? 0) +
      (embed?.footer?.text.length ?? 0) +
      (embed?.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0);

    expect(total).toBeLessThanOrEqual(6000);
    expect(embed?.fields).toHaveLength(10);
  });
});
