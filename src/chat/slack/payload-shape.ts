import { z } from 'zod';
import { formatIssues } from '../../shared/format-issues.ts';

/** A Slack id (channel, user, team) as the rest of the bot spells it after `slack:`. */
export const SlackId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'is not a Slack id');

/** A message timestamp, `1712345678.000123`: a message's id within its channel. */
export const SlackTs = z.string().regex(/^\d{1,12}\.\d{1,9}$/, 'is not a Slack message timestamp');

const Part = z.looseObject({ id: z.string() });

/**
 * What Bolt reads of a payload before any listener runs: an event with its type, clicks as a
 * list of actions, the user, team and channel as objects with ids. Slack always sends these; a
 * signed payload without them is refused, never handed on to fail inside Bolt.
 */
const Envelope = z
  .looseObject({
    type: z.string().optional(),
    // Some events carry the channel or user as an object (`channel_created`, `user_change`).
    event: z
      .looseObject({
        type: z.string(),
        channel: z.union([z.string(), Part]).optional(),
        user: z.union([z.string(), Part]).optional(),
      })
      .optional(),
    // Bolt takes the first action of a click before any listener runs: there must be one.
    actions: z
      .array(z.looseObject({ action_id: z.string(), type: z.string() }))
      .min(1)
      .optional(),
    command: z.string().optional(),
    user: Part.optional(),
    team: Part.nullable().optional(),
    channel: Part.optional(),
  })
  .refine((body) => body.type !== 'event_callback' || body.event !== undefined, {
    message: 'an event_callback needs an event',
    path: ['event'],
  })
  .refine((body) => body.actions === undefined || body.user !== undefined, {
    message: 'a click needs the user who clicked',
    path: ['user'],
  });

/** Why a payload is not one Slack sends, or undefined when it is. */
export function envelopeProblem(body: unknown): string | undefined {
  const checked = Envelope.safeParse(body);
  return checked.success ? undefined : formatIssues(checked.error.issues.slice(0, 3)).join('; ');
}
