import { z } from 'zod';
import { actionNamed, actionNames, outputsOf, type WorkflowAction } from './actions/catalogue.ts';
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

type Body = Pick<YamlStep, 'action' | 'confirm' | 'confirm_if' | 'outputs' | 'inputs'>;

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
  problems.push(...inputProblems(action, step.inputs, at));
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

/**
 * Inputs the action does not take, and values written as they are (no template) that it would
 * refuse: `replicas: two` for scale. Inputs left out are found when the step runs (the seed's
 * examples leave some to the agent).
 */
function inputProblems(
  action: WorkflowAction,
  inputs: YamlStep['inputs'],
  at: (string | number)[],
): PathProblem[] {
  const schema =
    action.kind === 'change'
      ? action.tool.input
      : action.kind === 'read'
        ? action.input
        : undefined;
  if (!(schema instanceof z.ZodObject) || inputs === undefined) return [];
  const shape = schema.shape as Record<string, z.ZodType>;
  return Object.entries(inputs).flatMap(([key, value]): PathProblem[] => {
    // An own field only: `constructor` or `__proto__` as an input name is not one of them.
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    const path = [...at, 'inputs', key];
    if (field === undefined)
      return [
        {
          path,
          message: `is not an input of ${action.name} (its inputs: ${Object.keys(shape).join(', ') || 'none'})`,
        },
      ];
    if (JSON.stringify(value).includes('{{')) return [];
    const parsed = field.safeParse(value);
    return parsed.success
      ? []
      : [{ path, message: parsed.error.issues[0]?.message ?? 'is not valid' }];
  });
}
