import type { ExpressionNames } from './expression.ts';
import { compileCondition, compileTemplate } from './template.ts';
import type { YamlStep, YamlWorkflow } from './yaml-schema.ts';
import type { PathProblem } from './yaml-structure.ts';

/**
 * The templates and conditions of a YAML workflow, checked when it is loaded: each must parse,
 * and each name it reads must be one the run will have there — a declared input, a step that has
 * finished by then (one it needs, or the one before it, and theirs in turn), `alert` only in a
 * workflow an alert starts. Fields of `alert` and of a step's outputs are known only at run time.
 */

/** Read bare in conditions: whether an earlier step of the run proposed actions. */
export const RUN_VARIABLES = ['actions_proposed'] as const;

type Body = Pick<YamlStep, 'task' | 'inputs' | 'confirm_if'>;

export function checkExpressions(workflow: YamlWorkflow): PathProblem[] {
  const roots = [
    'inputs',
    'steps',
    'cluster',
    ...RUN_VARIABLES,
    ...(workflow.trigger.some((t) => t.kind === 'alert') ? ['alert'] : []),
  ];
  const inputs = Object.keys(workflow.inputs);
  const before = finishedBefore(workflow.steps);
  return workflow.steps.flatMap((step, index) => {
    const names: ExpressionNames = { roots, inputs, steps: [...(before.get(step.name) ?? [])] };
    const at = (...path: (string | number)[]) => ['steps', index, ...path];
    return [
      ...(step.condition === undefined ? [] : condition(step.condition, names, at('condition'))),
      ...body(step, names, at),
      ...(['true', 'false'] as const).flatMap((branch) => {
        const taken = step.branches?.[branch];
        return taken === undefined
          ? []
          : body(taken, names, (...path) => at('branches', branch, ...path));
      }),
    ];
  });
}

function body(
  step: Body,
  names: ExpressionNames,
  at: (...path: (string | number)[]) => (string | number)[],
): PathProblem[] {
  return [
    ...(step.task === undefined ? [] : template(step.task, names, at('task'))),
    ...stringsIn(step.inputs, []).flatMap(({ text, path }) =>
      template(text, names, at('inputs', ...path)),
    ),
    ...(step.confirm_if === undefined ? [] : condition(step.confirm_if, names, at('confirm_if'))),
  ];
}

function template(text: string, names: ExpressionNames, path: (string | number)[]): PathProblem[] {
  const compiled = compileTemplate(text, { names });
  return compiled.ok ? [] : [{ path, message: compiled.error }];
}

function condition(text: string, names: ExpressionNames, path: (string | number)[]): PathProblem[] {
  const compiled = compileCondition(text, { names });
  return compiled.ok ? [] : [{ path, message: compiled.error }];
}

/** Every string in an action's inputs (which may nest lists and maps), with its path. */
function stringsIn(
  value: unknown,
  path: (string | number)[],
): { text: string; path: (string | number)[] }[] {
  if (typeof value === 'string') return [{ text: value, path }];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringsIn(item, [...path, i]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => stringsIn(item, [...path, key]));
  return [];
}

/**
 * The steps finished before each step starts: those it needs (a step without `needs` follows the
 * one before it), and theirs in turn. The loader has already refused cycles.
 */
function finishedBefore(steps: readonly YamlStep[]): Map<string, Set<string>> {
  const direct = new Map(
    steps.map((step, index) => {
      const previous = steps[index - 1];
      return [step.name, step.needs ?? (previous === undefined ? [] : [previous.name])];
    }),
  );
  const done = new Map<string, Set<string>>();
  const visit = (name: string): Set<string> => {
    const known = done.get(name);
    if (known !== undefined) return known;
    const all = new Set<string>();
    done.set(name, all);
    for (const need of direct.get(name) ?? []) {
      all.add(need);
      for (const earlier of visit(need)) all.add(earlier);
    }
    return all;
  };
  for (const step of steps) visit(step.name);
  return done;
}
