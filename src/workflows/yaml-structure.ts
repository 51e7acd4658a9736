import type { Autonomy } from '../config/policy-schema.ts';
import { tierOf } from '../policy/tiers.ts';
import { stepName } from './yaml-schema.ts';

/**
 * The checks of a YAML workflow that need the whole file at once: step names are unique, `needs`
 * and `on_failure` name steps that exist, the steps form a DAG, and the workflow's autonomy
 * unlocks nothing the policy forbids.
 */

/** A problem at a path of the file (as zod's issues have it), so that it can be given a line. */
export type PathProblem = { path: (string | number)[]; message: string };

type StepShape = {
  name: string;
  /** Whether the file named the step, or it is the derived `step-N`. */
  named: boolean;
  needs?: readonly string[] | undefined;
  on_failure: string;
};

/**
 * The whole-file checks, on the file as written: they read what they need leniently, so that they
 * say their problems beside the schema's, not after them.
 */
export function checkStructure(raw: unknown, policy: Autonomy): PathProblem[] {
  const steps = stepsOf(raw);
  return [
    ...checkUniqueNames(steps),
    ...checkReferences(steps),
    ...checkCycles(steps),
    ...checkAutonomy(autoApproved(raw), policy),
  ];
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stepsOf(raw: unknown): StepShape[] {
  const steps = field(raw, 'steps');
  if (!Array.isArray(steps)) return [];
  return steps.map((step: unknown, index) => {
    const name = field(step, 'name');
    const needs = field(step, 'needs');
    const onFailure = field(step, 'on_failure');
    return {
      name: stepName({ name: typeof name === 'string' ? name : undefined }, index),
      named: typeof name === 'string',
      needs: Array.isArray(needs)
        ? needs.filter((need): need is string => typeof need === 'string')
        : undefined,
      on_failure: typeof onFailure === 'string' ? onFailure : 'stop',
    };
  });
}

/** The verbs as the policy spells them: the seed's `restart_pod` is `restart pod`. */
function autoApproved(raw: unknown): (string | undefined)[] {
  const verbs = field(field(raw, 'autonomy'), 'auto_approve');
  if (!Array.isArray(verbs)) return [];
  return verbs.map((verb: unknown) =>
    typeof verb === 'string' ? verb.trim().toLowerCase().replace(/_/g, ' ') : undefined,
  );
}

function checkUniqueNames(steps: readonly StepShape[]): PathProblem[] {
  const first = new Map<string, number>();
  const problems: PathProblem[] = [];
  steps.forEach((step, index) => {
    const earlier = first.get(step.name);
    if (earlier === undefined) first.set(step.name, index);
    else
      problems.push({
        path: step.named ? ['steps', index, 'name'] : ['steps', index],
        message: `step name ${step.name} is already the name of steps[${earlier}]`,
      });
  });
  return problems;
}

function checkReferences(steps: readonly StepShape[]): PathProblem[] {
  const names = new Set(steps.map((step) => step.name));
  const problems: PathProblem[] = [];
  steps.forEach((step, index) => {
    (step.needs ?? []).forEach((need, at) => {
      if (need === step.name)
        problems.push({
          path: ['steps', index, 'needs', at],
          message: 'a step cannot need itself',
        });
      else if (!names.has(need))
        problems.push({ path: ['steps', index, 'needs', at], message: `no step named ${need}` });
    });
    const next = step.on_failure;
    if (next === 'stop' || next === 'continue') return;
    if (next === step.name)
      problems.push({
        path: ['steps', index, 'on_failure'],
        message: 'a step cannot retry itself',
      });
    else if (!names.has(next))
      problems.push({ path: ['steps', index, 'on_failure'], message: `no step named ${next}` });
  });
  return problems;
}

/**
 * The steps a step waits for: its `needs`, or, without them, the step before it (as an Argo
 * Workflows pipeline reads). Names that do not exist are left out: checkReferences says so.
 */
function dependencies(steps: readonly StepShape[]): number[][] {
  const index = new Map(steps.map((step, at) => [step.name, at]));
  return steps.map((step, at) => {
    if (step.needs === undefined) return at === 0 ? [] : [at - 1];
    return step.needs.flatMap((need) => {
      const found = index.get(need);
      return found === undefined || found === at ? [] : [found];
    });
  });
}

/** Every cycle once, reported at the `needs` of its first step in file order. */
function checkCycles(steps: readonly StepShape[]): PathProblem[] {
  const deps = dependencies(steps);
  const state = steps.map(() => 'new' as 'new' | 'open' | 'done');
  const problems: PathProblem[] = [];
  const trail: number[] = [];
  const visit = (at: number): void => {
    state[at] = 'open';
    trail.push(at);
    for (const dep of deps[at] ?? []) {
      if (state[dep] === 'open')
        problems.push(cycleProblem(steps, trail.slice(trail.indexOf(dep))));
      else if (state[dep] === 'new') visit(dep);
    }
    trail.pop();
    state[at] = 'done';
  };
  steps.forEach((_, at) => {
    if (state[at] === 'new') visit(at);
  });
  return problems;
}

function cycleProblem(steps: readonly StepShape[], cycle: number[]): PathProblem {
  const first = Math.min(...cycle);
  const start = cycle.indexOf(first);
  const ordered = [...cycle.slice(start), ...cycle.slice(0, start), first];
  const names = ordered.map((at) => steps[at]?.name ?? '?');
  const step = steps[first];
  return {
    path: step?.needs === undefined ? ['steps', first] : ['steps', first, 'needs'],
    message: `the steps wait for each other in a cycle: ${names.join(' → ')} (→: waits for)`,
  };
}

/** The policy's forbidden list wins: a workflow cannot auto-approve what it forbids. */
function checkAutonomy(verbs: readonly (string | undefined)[], policy: Autonomy): PathProblem[] {
  return verbs.flatMap((name, at) => {
    if (name === undefined) return [];
    const [verb = '', kind] = name.split(' ');
    if (tierOf(kind === undefined ? { verb } : { verb, kind }, policy) !== 'forbidden') return [];
    return [
      {
        path: ['autonomy', 'auto_approve', at],
        message: `${name} is forbidden by the policy; no workflow can approve it`,
      },
    ];
  });
}
