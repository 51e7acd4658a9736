import { Environment, EvaluationError } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { LINEAR_MATCHES } from './expression-source.ts';

/**
 * The CEL environment workflow expressions run in: CEL's standard functions (`size`, `contains`,
 * `startsWith`, `endsWith`, `lowerAscii`, `upperAscii`, `split`, `join`, `has`, `in`, the
 * comprehension macros…) plus the helpers below, and tight structural limits so that a hostile
 * expression is refused at load time rather than run.
 *
 * Helpers SREs reach for, each tested:
 * - `lower(s)`, `upper(s)`: ASCII case, as a function (CEL's methods `s.lowerAscii()` work too).
 * - `trim(s)`: without leading and trailing white space.
 * - `join(list, sep)`: a list of strings joined (as CEL's `list.join(sep)`).
 * - `s.matches(re)`: CEL's `matches`, but on RE2's linear-time engine: CEL's own uses the
 *   JavaScript engine, which backtracks — `'.*error.*'` takes 11 s on a 100 kB log line there.
 */
const LIMITS = {
  maxAstNodes: 400,
  maxDepth: 24,
  maxListElements: 100,
  maxMapEntries: 100,
  maxCallArguments: 8,
} as const;

const PATTERN_CACHE_SIZE = 200;
const patterns = new Map<string, RE2JS>();

function linearPattern(pattern: string): RE2JS {
  const cached = patterns.get(pattern);
  if (cached !== undefined) return cached;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch {
    throw new EvaluationError(`invalid regular expression: ${pattern.slice(0, 100)}`);
  }
  if (patterns.size >= PATTERN_CACHE_SIZE) patterns.clear();
  patterns.set(pattern, compiled);
  return compiled;
}

/** Why RE2 refuses `pattern` (lookarounds and backreferences, which cannot run in linear time), or undefined. */
export function patternProblem(pattern: string): string | undefined {
  try {
    linearPattern(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function stringsOnly(list: readonly unknown[]): string[] {
  return list.map((item) => {
    if (typeof item !== 'string') throw new EvaluationError('join: the list holds a non-string');
    return item;
  });
}

const base = new Environment({ limits: LIMITS, homogeneousAggregateLiterals: false })
  .registerFunction('lower(string): string', (s: string) => s.toLowerCase())
  .registerFunction('upper(string): string', (s: string) => s.toUpperCase())
  .registerFunction('trim(string): string', (s: string) => s.trim())
  .registerFunction('join(list, string): string', (list: readonly unknown[], sep: string) =>
    stringsOnly(list).join(sep),
  )
  .registerFunction(`string.${LINEAR_MATCHES}(string): bool`, (s: string, pattern: string) =>
    linearPattern(pattern).test(s),
  );

const byRoots = new Map<string, Environment>();

/** An environment knowing exactly these root names (each dynamically typed); cached by set. */
export function environmentFor(roots: readonly string[]): Environment {
  const key = [...new Set(roots)].sort().join(',');
  const cached = byRoots.get(key);
  if (cached !== undefined) return cached;
  const env = base.clone();
  for (const root of key === '' ? [] : key.split(',')) env.registerVariable(root, 'dyn');
  if (byRoots.size >= 100) byRoots.clear();
  byRoots.set(key, env);
  return env;
}
