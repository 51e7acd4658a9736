import type { Autonomy, Tier, WorkflowAutonomy } from '../config/policy-schema.ts';

/** What an action does, as far as the policy cares: its verb and, where it matters, the kind. */
type ActionVerb = { verb: string; kind?: string };

/**
 * The tier of an action. A verb with its kind (`delete pod`) is looked up before the bare verb
 * (`delete`), and forbidden wins over everything: no workflow setting and nothing a model says
 * can make a forbidden action run. `verb *` stands for every kind that no tier names with that
 * verb, so `delete *` forbidden beside `delete pod` confirm forbids every delete but a pod's. A
 * verb the policy does not name needs a person (confirm).
 */
export function tierOf(action: ActionVerb, autonomy: Autonomy, workflow?: WorkflowAutonomy): Tier {
  const names = namesOf(action);
  if (names.some((name) => autonomy.forbidden.includes(name))) return 'forbidden';
  if (autonomy.forbidden.includes(`${names.at(-1)} *`) && !namedWithKind(names, autonomy))
    return 'forbidden';
  const base = lookUp(names, autonomy) ?? 'confirm';
  if (workflow === undefined) return base;
  // `always_confirm` wins: `auto_approve: [scale]` beside `always_confirm: [scale statefulset]`
  // leaves a StatefulSet's scale to a person.
  if (names.some((name) => workflow.always_confirm.includes(name))) return 'confirm';
  if (base === 'confirm' && names.some((name) => workflow.auto_approve.includes(name)))
    return 'safe';
  return base;
}

function namesOf(action: ActionVerb): string[] {
  const verb = action.verb.trim().toLowerCase();
  const kind = action.kind?.trim().toLowerCase();
  return kind ? [`${verb} ${kind}`, verb] : [verb];
}

/** Whether safe or confirm names this verb with this very kind. */
function namedWithKind(names: readonly string[], autonomy: Autonomy): boolean {
  if (names.length < 2) return false;
  const exact = names[0] ?? '';
  return autonomy.safe.includes(exact) || autonomy.confirm.includes(exact);
}

function lookUp(names: string[], autonomy: Autonomy): 'safe' | 'confirm' | undefined {
  for (const name of names) {
    if (autonomy.confirm.includes(name)) return 'confirm';
    if (autonomy.safe.includes(name)) return 'safe';
  }
  return undefined;
}
