import type { Autonomy, Binding } from '../config/policy-schema.ts';
import { CoxswainError } from '../errors.ts';
import { authorise } from '../policy/authorise.ts';
import { bindingFor } from '../policy/bindings.ts';
import type { ChannelRef } from '../shared/channel.ts';
import { proposeSilence, type SilenceAction } from '../tools/metrics/silence.ts';

/** How long the alert message's silence button silences its group. */
export const SILENCE_BUTTON_MINUTES = 120;

/**
 * The silence an alert group's "Silence 2h" button proposes in a channel, or why that channel may
 * not be offered it: its binding must reach the alert's cluster (its `cluster` label, or the one
 * cluster the channel is bound to) and namespace (a group without one reaches every namespace),
 * at the confirm tier. Decided the same way when the message is drawn and when the button is
 * clicked.
 */
export function groupSilence(
  labels: Record<string, string>,
  channel: ChannelRef,
  policy: { bindings: readonly Binding[]; autonomy: Autonomy },
  requester: string,
): { ok: true; action: SilenceAction } | { ok: false; headline: string; reason: string } {
  const binding = bindingFor(channel, policy.bindings);
  const cluster =
    labels.cluster ?? (binding?.clusters.length === 1 ? binding.clusters[0] : undefined);
  if (cluster === undefined)
    return {
      ok: false,
      headline: 'Cannot tell which cluster this alert is about',
      reason: 'It has no cluster label and this channel is bound to several clusters (or none).',
    };
  let action: SilenceAction;
  try {
    action = proposeSilence({
      cluster,
      matchers: Object.entries(labels).map(([name, value]) => ({
        name,
        value,
        isRegex: false,
        isEqual: true,
      })),
      durationMinutes: SILENCE_BUTTON_MINUTES,
      comment: `Silenced from the alert message by ${requester}`,
    });
  } catch (error) {
    if (!(error instanceof CoxswainError)) throw error;
    return {
      ok: false,
      headline: 'This alert cannot be silenced from here',
      reason: error.message,
    };
  }
  const allowed = authorise.offer({ channel, action }, policy);
  return allowed.allowed
    ? { ok: true, action }
    : { ok: false, headline: 'This alert cannot be silenced from here', reason: allowed.reason };
}
