import type { Autonomy } from '../../config/policy-schema.ts';
import { authorise, type MaxTier } from '../../policy/authorise.ts';
import type { ProposedAction } from '../../tools/proposed-action.ts';
import type { ToolScope } from '../../tools/tool.ts';

/**
 * Why a tool call may not run in this run, as the model hears it: `authorise` decides from what
 * the call says it touches (its `scope`) and, for a proposal, from the action it would take,
 * never from the tool's name. Every refusal of a model's call comes through here.
 */

/** The cluster a run is on and the namespaces its asker may see (unset or `*`: all of them). */
export type RunScope = { cluster: string; namespaces?: readonly string[] | undefined };

/**
 * A call's refusal when it reaches outside the run: another cluster, or, with a partial binding,
 * anything but namespaces the binding covers (cluster-wide listings would show the rest).
 */
export function scopeRefusal(tool: string, scope: ToolScope, run: RunScope): string | undefined {
  // A kube context that names no namespaces may see them all (the terminal's `coxswain ask`).
  const answer = authorise.read(
    { tool, scope },
    { cluster: run.cluster, namespaces: run.namespaces ?? ['*'] },
  );
  return answer.allowed ? undefined : answer.reason;
}

/** What the channel allows a proposal: the autonomy policy and the channel's highest tier. */
type TierLimits = { autonomy: Autonomy; maxTier: MaxTier };

/**
 * Why an action may not even be proposed here: its verb and kind are forbidden, or it needs more
 * than the channel's highest tier. Judged on the built action, whose target kind is known.
 */
export function tierRefusal(action: ProposedAction, limits: TierLimits): string | undefined {
  const answer = authorise.propose({ action }, limits);
  return answer.allowed ? undefined : answer.reason;
}
