import type { ASTNode } from '@marcbachmann/cel-js';
import { patternProblem } from './expression-environment.ts';
import { LINEAR_MATCHES, stepKey } from './expression-source.ts';

/**
 * What is known about an expression's names when its workflow loads. Root names are the bare
 * identifiers it may read: `inputs`, `alert` (alert-triggered workflows), `steps`, `cluster`,
 * and any run-level variable the engine sets, such as `actions_proposed` (bound by the caller:
 * the seed's `confirm_if: actions_proposed` reads a flag the step's own answer sets).
 */
export type ExpressionNames = {
  /** Every bare name the expression may read. An unknown one is an error at load time. */
  readonly roots: readonly string[];
  /** The inputs the workflow declares: `inputs.NAME`. */
  readonly inputs: readonly string[];
  /** The steps this expression may read (those before it, or its `needs`): `steps.NAME`. */
  readonly steps: readonly string[];
};

/** A load-time problem, at an offset in the text CEL parsed. */
type LoadProblem = { message: string; offset: number };

/** CEL macros that iterate: one inside another's body multiplies the work by the data's size. */
const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/**
 * The first problem found in `ast` at load time, or undefined: an undeclared input, a step not
 * readable here, a comprehension nested in another, a literal `matches` pattern RE2 refuses.
 */
export function checkAtLoad(
  ast: ASTNode,
  names: ExpressionNames,
  spelled: ReadonlyMap<string, string>,
): LoadProblem | undefined {
  return visit(ast, { ...names, spelled }, 0);
}

/** The names, and each step name as written by its spelling in the parsed text. */
type Known = ExpressionNames & { spelled: ReadonlyMap<string, string> };

function visit(node: ASTNode, names: Known, loops: number): LoadProblem | undefined {
  const own = checkNode(node, names);
  if (own !== undefined) return own;
  const comprehension = node.op === 'rcall' && COMPREHENSIONS.has(node.args[0]);
  if (comprehension && loops >= 1)
    return {
      message: `${node.args[0]}() inside another comprehension is not allowed`,
      offset: node.start,
    };
  for (const child of children(node)) {
    const inBody = comprehension && child !== node.args[1];
    const problem = visit(child, names, inBody ? loops + 1 : loops);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkNode(node: ASTNode, names: Known): LoadProblem | undefined {
  if (node.op === 'rcall' && node.args[0] === LINEAR_MATCHES) return checkPattern(node);
  const field = fieldOf(node);
  if (field === undefined) return undefined;
  if (field.root === 'inputs' && !names.inputs.includes(field.name))
    return {
      message: `unknown input "${field.name}" (declared: ${list(names.inputs)})`,
      offset: field.offset,
    };
  if (field.root === 'steps') return checkStep(field, names);
  return undefined;
}

function checkStep(field: { name: string; offset: number; selected: boolean }, names: Known) {
  const name = field.selected ? (names.spelled.get(field.name) ?? field.name) : field.name;
  if (!names.steps.includes(name))
    return {
      message: `unknown step "${name}" (readable here: ${list(names.steps)})`,
      offset: field.offset,
    };
  const twin = names.steps.find((other) => other !== name && stepKey(other) === stepKey(name));
  if (field.selected && twin !== undefined)
    return {
      message: `steps "${name}" and "${twin}" read the same in an expression; rename one`,
      offset: field.offset,
    };
  return undefined;
}

/** A literal pattern is checked now; one read from the run's data, when it runs. */
function checkPattern(node: ASTNode & { op: 'rcall' }): LoadProblem | undefined {
  const [pattern] = node.args[2];
  if (pattern?.op !== 'value' || typeof pattern.args !== 'string') return undefined;
  const problem = patternProblem(pattern.args);
  return problem === undefined ? undefined : { message: problem, offset: pattern.start };
}

/** `ROOT.NAME` or `ROOT["NAME"]` on the root names whose fields are known at load time. */
function fieldOf(
  node: ASTNode,
): { root: string; name: string; offset: number; selected: boolean } | undefined {
  if (node.op !== '.' && node.op !== '[]') return undefined;
  const [target, key] = node.args;
  if (target.op !== 'id' || (target.args !== 'inputs' && target.args !== 'steps')) return undefined;
  if (typeof key === 'string')
    return { root: target.args, name: key, offset: target.start, selected: true };
  if (key.op === 'value' && typeof key.args === 'string')
    return { root: target.args, name: key.args, offset: key.start, selected: false };
  return undefined;
}

function children(node: ASTNode): ASTNode[] {
  const found: ASTNode[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) collect(item);
    else if (typeof value === 'object' && value !== null && 'op' in value)
      found.push(value as ASTNode);
  };
  if (node.op !== 'id' && node.op !== 'value') collect(node.args);
  return found;
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}
