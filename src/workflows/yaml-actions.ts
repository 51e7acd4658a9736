import { actionNamed, actionNames, outputsOf } from './actions/catalogue.ts';
import type { YamlStep, YamlWorkflow } from './yaml-schema.ts';
import type { PathProblem } from './yaml-structure.ts';

/**
 * Each step's action exists, asks for a confirm gate only where there is a change to decide, and
 * declares only outputs the action gives. An agent step declares its own outputs freely: its
 * answer is asked for them and checked when it comes.
 */
export function checkActions(workflow: YamlWorkflow): PathProblem[] {
  return workflow.steps.flatMap((step, index) => [
    ...body(step, ['steps', index], step.outputs),
    ...(['true', 'false'] as const).flatMap((branch) => {
      const taken = step.branches?.[branch];
      return taken === undefined
        ? []
        : body(taken, ['steps', index, 'branches', branch], step.outputs ?? taken.outputs);
    }),
  ]);
}

type Body = Pick<YamlStep, 'action' | 'confirm' | 'confirm_if' | 'outputs'>;

function body(step: Body, at: (string | number)[], declared: YamlStep['outputs']): PathProblem[] {
  if (step.action === undefined) return [];
  const action = actionNamed(step.action);
  if (action === undefined)
    return [
      {
        path: [...at, 'action'],
        message: `no action named ${step.action} (actions: ${actionNames().join(', ')})`,
      },
    ];
  const problems: PathProblem[] = [];
  if (action.kind !== 'change' && (step.confirm === true || step.confirm_if !== undefined))
    problems.push({
      path: [...at, step.confirm === true ? 'confirm' : 'confirm_if'],
      message: `${step.action} changes nothing, so there is nothing to confirm`,
    });
  const given = outputsOf(action);
  const names =
    declared === undefined ? [] : Array.isArray(declared) ? declared : Object.keys(declared);
  const unknown = names.filter((name) => !given.includes(name));
  if (unknown.length > 0)
    problems.push({
      path: [...at, 'outputs'],
      message: `${step.action} gives no ${unknown.join(', ')} (it gives: ${given.join(', ')})`,
    });
  return problems;
}
