/**
 * Rewrites a workflow expression's source into text CEL parses, before parsing, with a map back
 * to the source's columns for error messages. Outside string literals only:
 *
 * - A hyphenated step name is spelled with `__` for each hyphen (`steps.check-logs` becomes
 *   `steps.check__logs`), so the seed's names parse and stay a select that `has()` accepts (an
 *   index, `steps["check-logs"]`, is refused by `has()`); the run's `steps` gets the same key
 *   (see `stepKeys`). A hyphen with spaces around it stays a minus.
 * - `steps.NAME.FIELD` (the seed's shorthand) becomes `steps.NAME.outputs.FIELD`.
 * - `.matches(` calls a linear-time engine instead of CEL's own, which backtracks (see
 *   `expression-environment.ts`).
 */
export const LINEAR_MATCHES = 'matches_linear';

export type RewrittenSource = {
  text: string;
  /** Each step name as written, by its spelling in `text`. */
  steps: ReadonlyMap<string, string>;
  /** The source offset a rewritten offset came from. */
  toSource(offset: number): number;
};

type Chunk = { out: number; src: number; verbatim: boolean };

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const STEP_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/;
const STRING_PREFIX = /^(?:[rRbB]|[rR][bB]|[bB][rR])$/;

class Writer {
  text = '';
  private readonly chunks: Chunk[] = [];

  copy(source: string, from: number, to: number): void {
    if (to <= from) return;
    this.chunks.push({ out: this.text.length, src: from, verbatim: true });
    this.text += source.slice(from, to);
  }

  replace(at: number, text: string): void {
    this.chunks.push({ out: this.text.length, src: at, verbatim: false });
    this.text += text;
  }

  toSource(offset: number): number {
    let found: Chunk | undefined;
    for (const chunk of this.chunks) {
      if (chunk.out > offset) break;
      found = chunk;
    }
    if (found === undefined) return 0;
    return found.verbatim ? found.src + offset - found.out : found.src;
  }
}

/** How a step name is spelled in the text CEL parses. */
export function stepKey(name: string): string {
  return name.replaceAll('-', '__');
}

/** The run's values with each hyphenated step also under its spelling in rewritten text. */
export function withStepKeys(
  context: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const steps = context.steps;
  if (typeof steps !== 'object' || steps === null || Array.isArray(steps)) return context;
  let spelled: Record<string, unknown> | undefined;
  for (const [name, step] of Object.entries(steps)) {
    const key = stepKey(name);
    if (key !== name && !Object.hasOwn(steps, key)) {
      spelled ??= { ...steps };
      spelled[key] = step;
    }
  }
  return spelled === undefined ? context : { ...context, steps: spelled };
}

export function rewriteSource(source: string): RewrittenSource {
  const out = new Writer();
  const steps = new Map<string, string>();
  let copiedTo = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === '"' || ch === "'") {
      i = skipString(source, i);
      continue;
    }
    if (!IDENT_START.test(ch) || (i > 0 && IDENT_PART.test(source.charAt(i - 1)))) {
      i++;
      continue;
    }
    const end = identifierEnd(source, i);
    const word = source.slice(i, end);
    const next = source.charAt(end);
    if (STRING_PREFIX.test(word) && (next === '"' || next === "'")) {
      i = skipString(source, end);
      continue;
    }
    const afterDot = previousNonSpace(source, i) === '.';
    if (word === 'steps' && !afterDot) {
      const step = stepReference(source, end);
      if (step !== undefined) {
        steps.set(stepKey(step.name), step.name);
        out.copy(source, copiedTo, i);
        out.replace(i, step.text);
        copiedTo = i = step.end;
        continue;
      }
    }
    if (word === 'matches' && afterDot && source.slice(end).trimStart().startsWith('(')) {
      out.copy(source, copiedTo, i);
      out.replace(i, LINEAR_MATCHES);
      copiedTo = end;
    }
    i = end;
  }
  out.copy(source, copiedTo, source.length);
  return { text: out.text, steps, toSource: (offset) => out.toSource(offset) };
}

/** `steps . NAME [. FIELD]` from just after `steps`, or undefined when no step name follows. */
function stepReference(
  source: string,
  from: number,
): { name: string; text: string; end: number } | undefined {
  const dot = skipSpaces(source, from);
  if (source.charAt(dot) !== '.') return undefined;
  const nameAt = skipSpaces(source, dot + 1);
  const name = STEP_NAME.exec(source.slice(nameAt))?.[0];
  if (name === undefined) return undefined;
  const base = `steps.${stepKey(name)}`;
  const nameEnd = nameAt + name.length;
  const fieldDot = skipSpaces(source, nameEnd);
  const bare = { name, text: base, end: nameEnd };
  if (source.charAt(fieldDot) !== '.') return bare;
  const fieldAt = skipSpaces(source, fieldDot + 1);
  if (!IDENT_START.test(source.charAt(fieldAt))) return bare;
  const field = source.slice(fieldAt, identifierEnd(source, fieldAt));
  if (field === 'outputs') return bare;
  return { name, text: `${base}.outputs.${field}`, end: fieldAt + field.length };
}

function identifierEnd(source: string, from: number): number {
  let end = from;
  while (end < source.length && IDENT_PART.test(source.charAt(end))) end++;
  return end;
}

function skipSpaces(source: string, from: number): number {
  let at = from;
  while (at < source.length && /\s/.test(source.charAt(at))) at++;
  return at;
}

function previousNonSpace(source: string, before: number): string {
  let at = before - 1;
  while (at >= 0 && /\s/.test(source.charAt(at))) at--;
  return at >= 0 ? source.charAt(at) : '';
}

/**
 * The offset just past the string literal opening at `from` (or the end, if unterminated). A
 * backslash skips the next character even in a raw string, as the library's lexer does.
 */
function skipString(source: string, from: number): number {
  const quote = source.charAt(from);
  const triple = source.startsWith(quote.repeat(3), from);
  const close = triple ? quote.repeat(3) : quote;
  let at = from + close.length;
  while (at < source.length) {
    if (source.startsWith(close, at)) return at + close.length;
    if (!triple && source.charAt(at) === '\n') return at;
    at += source.charAt(at) === '\\' ? 2 : 1;
  }
  return source.length;
}
