import { type Autonomy, DEFAULT_AUTONOMY } from '../../config/policy-schema.ts';
import { inScope } from '../../policy/command-scope.ts';
import { tierOf } from '../../policy/tiers.ts';
import type { KubeAction } from '../../tools/kubernetes/actions/action.ts';
import type { ToolScope } from '../../tools/tool.ts';

/**
 * Why a tool call may not run in this run, decided from what the call says it touches (its
 * `scope`) and, for a proposal, from the action it would take, never from the tool's name.
 * Every refusal of a model's call comes from here.
 */

/** The cluster a run is on and the namespaces its asker may see (unset or `*`: all of them). */
export type RunScope = { cluster: string; namespaces?: readonly string[] | undefined };

/**
 * A call's refusal when it reaches outside the run: another cluster, or, with a partial binding,
 * anything but namespaces the binding covers (cluster-wide listings would show the rest).
 */
export function scopeRefusal(tool: string, scope: ToolScope, run: RunScope): string | undefined {
  if (scope.cluster !== undefined && scope.cluster !== run.cluster) {
    return `${tool} reaches cluster ${scope.cluster}; this run is on ${run.cluster}`;
  }
  const allowed = run.namespaces;
  if (allowed === undefined || allowed.includes('*')) return undefined;
  const seen = allowed.join(', ');
  if (scope.namespaces === 'all') {
    return scope.reason === undefined
      ? `${tool} needs a namespace here: this channel may see ${seen}`
      : `${scope.reason}; this channel may see ${seen}`;
  }
  const outside = scope.namespaces.find((namespace) => !inScope(allowed, namespace));
  if (outside !== undefined) {
    return `namespace ${outside} is outside what this channel may see (${seen})`;
  }
  return undefined;
}

/** What the channel allows a proposal: the autonomy policy and the channel's highest tier. */
export type TierLimits = {
  autonomy?: Autonomy | undefined;
  /** The channel's highest tier; proposals above it are refused. */
  maxTier?: 'safe' | 'confirm' | undefined;
};

/**
 * Why an action may not even be proposed here: its verb and kind are forbidden, or it needs more
 * than the channel's highest tier. Judged on the built action, whose target kind is known.
 */
export function tierRefusal(action: KubeAction, limits: TierLimits): string | undefined {
  const tier = tierOf(
    { verb: action.verb, kind: action.target.kind },
    limits.autonomy ?? DEFAULT_AUTONOMY,
  );
  if (tier === 'forbidden')
    return `${action.summary}: forbidden by the autonomy policy; it cannot be proposed`;
  if (tier === 'confirm' && limits.maxTier === 'safe') {
    return `${action.summary}: this channel may only run safe (read-only) actions, so it cannot be proposed here`;
  }
  return undefined;
}
