import { RE2JS } from 're2js';

/**
 * Alert label matchers, as routes and workflow triggers write them: a value a label must equal,
 * or `{ regex }`, an RE2 expression (linear time, as Alertmanager's) over the label's whole value.
 */
export type LabelMatcher = string | { regex: string };

/** Whether RE2 accepts the expression (no lookarounds or backreferences). */
export function isRe2(source: string): boolean {
  return compiled(source) !== undefined;
}

/** Whether every matcher matches its label; a label that is absent matches nothing. */
export function labelsMatch(
  match: Readonly<Record<string, LabelMatcher>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(match).every(([name, wanted]) => {
    const value = labels[name];
    if (value === undefined) return false;
    if (typeof wanted === 'string') return value === wanted;
    return compiled(wanted.regex)?.testExact(value) === true;
  });
}

const patterns = new Map<string, RE2JS | undefined>();

function compiled(source: string): RE2JS | undefined {
  if (!patterns.has(source)) {
    if (patterns.size >= 500) patterns.clear();
    let pattern: RE2JS | undefined;
    try {
      pattern = RE2JS.compile(source);
    } catch {
      pattern = undefined;
    }
    patterns.set(source, pattern);
  }
  return patterns.get(source);
}
