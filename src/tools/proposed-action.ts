import { z } from 'zod';
import { GitChange } from './git/change.ts';
import { KubeAction } from './kubernetes/actions/action.ts';
import { SilenceAction } from './metrics/silence.ts';

/**
 * Every change a proposal can carry: a write to a cluster, a manifest change as a pull request,
 * or a silence created or expired. Each names what it reaches (`target`: cluster, namespace,
 * kind, name), the verb the autonomy policy classifies it by, a summary, every field it changes
 * and the diff a person approves, so deciding and authorising one is the same for all.
 */
export const ProposedAction = z.union([KubeAction, GitChange, SilenceAction]);
export type ProposedAction = z.infer<typeof ProposedAction>;

export function isGitChange(action: ProposedAction): action is GitChange {
  return action.type === 'git-change';
}

export function isSilence(action: ProposedAction): action is SilenceAction {
  return action.type === 'silence-create' || action.type === 'silence-expire';
}

export function isKubeAction(action: ProposedAction): action is KubeAction {
  return !isGitChange(action) && !isSilence(action);
}
