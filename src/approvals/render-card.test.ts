import { describe, expect, it } from 'vitest';
import { proposalRecord } from '../../test/support/proposal-record.ts';
import { renderDiscord } from '../chat/discord/render.ts';
import { ChatMessage, fitMessage } from '../chat/message.ts';
import { renderSlack } from '../chat/slack/render.ts';
import type { FieldChange } from '../tools/kubernetes/actions/action.ts';
import type { ProposalRecord } from './proposal-store.ts';
import { changesFitChat, chatCard, renderCard } from './render-card.ts';

function record(changes: FieldChange[]): ProposalRecord {
  const base = proposalRecord();
  return {
    ...base,
    action: {
      ...base.action,
      summary:
        'patch deployment payments/api: spec.template.spec.containers[api].resources.limits.memory',
      changes,
      diff: '--- a\n+++ b\n@@ -1 +1 @@\n-  memory: 256Mi\n+  memory: 512Mi',
    },
  };
}

const API = 'spec.template.spec.containers[api]';
const hostile: FieldChange[] = [
  { path: `${API}.resources.limits.memory`, from: '256Mi', to: '512Mi' },
  ...Array.from({ length: 12 }, (_, i) => ({
    path: `metadata.labels.l${i}`,
    from: '(unset)',
    to: 'x',
  })),
  { path: `${API}.securityContext.privileged`, from: '(unset)', to: 'true' },
];

describe('the card', () => {
  it('lists every change above the diff, on Slack and Discord, past the 12 lines evidence gets', () => {
    const card = ChatMessage.parse(fitMessage(chatCard(record(hostile), 'confirm', undefined)));

    const slack = JSON.stringify(renderSlack(card));
    const discord = JSON.stringify(renderDiscord(card));

    expect(card.sections[0]?.title).toBe('Changes (14 fields)');
    for (const rendered of [slack, discord]) {
      expect(rendered).toContain(`${API}.securityContext.privileged: (unset) → true`);
      expect(rendered).toContain('metadata.labels.l11: (unset) → x');
      expect(rendered.indexOf('securityContext.privileged')).toBeLessThan(
        rendered.indexOf('+  memory'),
      );
    }
    expect(card.buttons.map((b) => b.action)).toEqual(['approve', 'reject']);
  });

  it('offers no Approve in chat when the list cannot fit there, and links to the dashboard', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      path: `data.SOME_RATHER_LONG_SETTING_NAME_${i}`,
      from: '[redacted]',
      to: '[redacted; changed]',
    }));

    const chat = chatCard(record(many), 'confirm', 'https://cox.example.com');
    const dashboard = renderCard(record(many), 'confirm');

    expect(changesFitChat(many)).toBe(false);
    expect(chat.buttons).toEqual([]);
    expect(chat.text).toContain('60 fields');
    expect(chat.links).toEqual([
      {
        label: 'Review on the dashboard',
        url: 'https://cox.example.com/dashboard#proposal-pAbc123',
      },
    ]);
    expect(dashboard.buttons?.map((b) => b.action)).toEqual(['approve', 'reject']);
    expect(dashboard.sections?.[0]?.code?.split('\n')).toHaveLength(60);
  });

  it('counts what escaping adds when deciding whether the list fits', () => {
    const ampersands = [
      { path: 'metadata.annotations.note', from: '(unset)', to: '&'.repeat(400) },
    ];

    expect(changesFitChat(ampersands)).toBe(false);
    expect(
      changesFitChat([{ path: 'metadata.annotations.note', from: '(unset)', to: 'a'.repeat(400) }]),
    ).toBe(true);
  });

  it('says at a glance when a change was applied but not seen to work', () => {
    const done = {
      ...record([{ path: 'spec.replicas', from: '2', to: '3' }]),
      state: 'succeeded' as const,
      result: {
        summary: 'Applied; verification failed: Not settled after 90 s: 1/3 pods updated.',
        unverified: true,
      },
    };

    const card = renderCard(done, 'confirm');

    expect(card.headline).toMatch(/^Applied, not verified: /);
    expect(card.tone).toBe('warning');
    expect(card.buttons).toEqual([]);
  });
});
