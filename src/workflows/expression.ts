import type { ParseResult } from '@marcbachmann/cel-js';
import { environmentFor } from './expression-environment.ts';
import { checkAtLoad, type ExpressionNames } from './expression-names.ts';
import {
  LINEAR_MATCHES,
  type RewrittenSource,
  rewriteSource,
  withStepKeys,
} from './expression-source.ts';
import { ContextTooLarge, type ExpressionValue, fromCel, toCel } from './expression-values.ts';

/**
 * The workflow expression language: CEL (Kubernetes' own policy language), through a kept
 * implementation, never `eval`, `Function` or `vm`. Names: `inputs`, `alert`, `steps` (each step's
 * `outputs`; `steps.NAME.FIELD` is short for `steps.NAME.outputs.FIELD`, and step names may hold
 * hyphens), `cluster`, and run-level variables the caller declares. What can be known when the
 * workflow loads is checked then: syntax, root names, input names, step names. Fields of `alert`
 * and of a step's outputs are known only at run time, where a missing one is a clear error.
 */
export type { ExpressionNames } from './expression-names.ts';
export type { ExpressionValue } from './expression-values.ts';

export const MAX_EXPRESSION_LENGTH = 2_000;

/** The values an expression reads, by root name: `{ inputs, alert, steps, cluster, … }`. */
export type ExpressionContext = Readonly<Record<string, unknown>>;

declare const checked: unique symbol;
/** A checked expression, ready to evaluate any number of times (made only by compileExpression). */
export type Expression = { readonly source: string; readonly [checked]: true };

export type Compiled<T> = { ok: true } & T;
export type Failed = { ok: false; error: string };
export type Evaluated<T = ExpressionValue> = { ok: true; value: T } | Failed;

type Internals = { program: ParseResult; rewritten: RewrittenSource; offset: number };
const internals = new WeakMap<Expression, Internals>();

/**
 * Checks `source` against what is known at load time. `offset` places it in a larger text (a
 * template) so that columns in messages count from that text's start.
 */
export function compileExpression(
  source: string,
  options: { names: ExpressionNames; offset?: number },
): Compiled<{ expression: Expression }> | Failed {
  const offset = options.offset ?? 0;
  if (source.length > MAX_EXPRESSION_LENGTH)
    return failed(0, offset, `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  if (source.trim() === '') return failed(0, offset, 'the expression is empty');
  const rewritten = rewriteSource(source);
  let program: ParseResult;
  try {
    program = environmentFor(options.names.roots).parse(rewritten.text);
  } catch (error) {
    return failed(errorOffset(error, rewritten), offset, describe(error, options.names));
  }
  const typed = program.check();
  if (!typed.valid)
    return failed(
      errorOffset(typed.error, rewritten),
      offset,
      describe(typed.error, options.names),
    );
  const problem = checkAtLoad(program.ast, options.names, rewritten.steps);
  if (problem !== undefined)
    return failed(rewritten.toSource(problem.offset), offset, problem.message);
  const expression = { source } as Expression;
  internals.set(expression, { program, rewritten, offset });
  return { ok: true, expression };
}

/** The inferred CEL type of a compiled expression (`bool`, `string`, `dyn`…). */
export function expressionType(expression: Expression): string {
  return inside(expression).program.check().type ?? 'dyn';
}

/** Runs a compiled expression on a run's values. Never throws. */
export function evaluate(expression: Expression, context: ExpressionContext): Evaluated {
  const { program, rewritten, offset } = inside(expression);
  let input: unknown;
  try {
    input = toCel(withStepKeys(context));
  } catch (error) {
    const why = error instanceof ContextTooLarge ? 'too large' : 'unreadable';
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `the run's data is ${why} for an expression: ${detail}` };
  }
  try {
    return { ok: true, value: fromCel(program(input as Record<string, unknown>)) };
  } catch (error) {
    return failed(errorOffset(error, rewritten), offset, describe(error, undefined));
  }
}

function inside(expression: Expression): Internals {
  const found = internals.get(expression);
  if (found === undefined) throw new TypeError('not a compiled expression');
  return found;
}

function failed(at: number, offset: number, message: string): Failed {
  return { ok: false, error: `column ${offset + at + 1}: ${message}` };
}

function errorOffset(error: unknown, rewritten: RewrittenSource): number {
  const start = celError(error)?.range?.start;
  return start === undefined ? 0 : rewritten.toSource(start);
}

type CelError = { summary: string; code: string; range?: { start: number } };

function celError(error: unknown): CelError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { summary, code } = error as Partial<CelError>;
  return typeof summary === 'string' && typeof code === 'string' ? (error as CelError) : undefined;
}

/** A library error as a person reads it; `names` is given at load time, not at run time. */
function describe(error: unknown, names: ExpressionNames | undefined): string {
  const cel = celError(error);
  if (cel === undefined)
    return error instanceof Error ? `the expression failed: ${error.message}` : String(error);
  const text = cel.summary.replaceAll(LINEAR_MATCHES, 'matches');
  const name = /^Unknown variable: (.+)$/.exec(text)?.[1];
  if (name !== undefined)
    return names === undefined
      ? `"${name}" is not set in this run`
      : `unknown name "${name}" (known here: ${names.roots.join(', ') || 'none'})`;
  const key = /^No such key: (.+)$/.exec(text)?.[1];
  if (key !== undefined) return `no field "${key}"`;
  return text;
}
