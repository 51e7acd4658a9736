import { type Autonomy, DEFAULT_AUTONOMY, type Tier, type WorkflowAutonomy } from './schema.ts';

/** What an action does, as far as the policy cares: its verb and, where it matters, the kind. */
export type ActionVerb = { verb: string; kind?: string };

/**
 * The tier of an action. A verb with its kind (`delete node`) is looked up before the bare verb
 * (`delete`), and forbidden wins over everything: no workflow setting and nothing a model says
 * can make a forbidden action run. A verb the policy does not name needs a person (confirm).
 */
export function tierOf(
  action: ActionVerb,
  autonomy: Autonomy = DEFAULT_AUTONOMY,
  workflow?: WorkflowAutonomy,
): Tier {
  const names = namesOf(action);
  if (names.some((name) => autonomy.forbidden.includes(name))) return 'forbidden';
  const base = lookUp(names, autonomy) ?? 'confirm';
  if (workflow === undefined) return base;
  if (base === 'safe' && names.some((name) => workflow.always_confirm.includes(name)))
    return 'confirm';
  if (base === 'confirm' && names.some((name) => workflow.auto_approve.includes(name)))
    return 'safe';
  return base;
}

function namesOf(action: ActionVerb): string[] {
  const verb = action.verb.trim().toLowerCase();
  const kind = action.kind?.trim().toLowerCase();
  return kind ? [`${verb} ${kind}`, verb] : [verb];
}

function lookUp(names: string[], autonomy: Autonomy): 'safe' | 'confirm' | undefined {
  for (const name of names) {
    if (autonomy.confirm.includes(name)) return 'confirm';
    if (autonomy.safe.includes(name)) return 'safe';
  }
  return undefined;
}
