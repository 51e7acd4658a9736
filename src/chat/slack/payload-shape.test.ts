import { describe, expect, it } from 'vitest';
import { envelopeProblem } from './payload-shape.ts';

const BUTTON = { action_id: 'a', type: 'button' };

/** What reaches Bolt from either receiver (HTTP or Socket Mode): only what Slack would send. */
describe('envelopeProblem', () => {
  it.each([
    [
      'a mention',
      { type: 'event_callback', event: { type: 'app_mention', channel: 'C1', user: 'U1' } },
    ],
    [
      'an event whose channel is an object',
      { type: 'event_callback', event: { type: 'channel_created', channel: { id: 'C1' } } },
    ],
    [
      'a click',
      { type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'a', type: 'button' }] },
    ],
    ['a slash command', { command: '/coxswain', text: 'status', user_id: 'U1' }],
    [
      'a click with team null',
      { type: 'block_actions', team: null, user: { id: 'U1' }, actions: [BUTTON] },
    ],
  ])('takes %s', (_name, body) => {
    expect(envelopeProblem(body)).toBeUndefined();
  });

  it.each([
    ['null', null, '(root)'],
    ['an event_callback without an event', { type: 'event_callback' }, 'event'],
    ['an event of no type', { type: 'event_callback', event: { channel: 'C1' } }, 'event.type'],
    [
      'an event whose channel is null',
      { type: 'event_callback', event: { type: 'message', channel: null } },
      'event.channel',
    ],
    [
      'a click whose actions are not a list',
      { type: 'block_actions', user: { id: 'U1' }, actions: {} },
      'actions',
    ],
    [
      'a click with no action',
      { type: 'block_actions', user: { id: 'U1' }, actions: [] },
      'actions',
    ],
    ['a click without its user', { type: 'block_actions', actions: [BUTTON] }, 'user'],
    [
      'a click whose channel has no id',
      { type: 'block_actions', user: { id: 'U1' }, channel: {}, actions: [BUTTON] },
      'channel.id',
    ],
  ])('refuses %s, naming the field', (_name, body, field) => {
    expect(envelopeProblem(body)).toMatch(new RegExp(`^${field.replace(/[.()]/g, '\\$&')}: `));
  });
});
