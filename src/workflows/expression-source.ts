/**
 * Rewrites a workflow expression's source into text CEL parses, before parsing, with a map back
 * to the source's columns for error messages. Outside string literals only:
 *
 * - `steps.NAME` becomes `steps["NAME"]`, so the seed's hyphenated step names
 *   (`steps.check-logs.cause`) parse; a hyphen with spaces around it stays a minus.
 * - `steps.NAME.FIELD` (the seed's shorthand) becomes `steps["NAME"].outputs.FIELD`.
 * - `.matches(` calls a linear-time engine instead of CEL's own, which backtracks (see
 *   `expression-environment.ts`).
 */
export const LINEAR_MATCHES = 'matches_linear';

export type RewrittenSource = {
  text: string;
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

export function rewriteSource(source: string): RewrittenSource {
  const out = new Writer();
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
  return { text: out.text, toSource: (offset) => out.toSource(offset) };
}

/** `steps . NAME [. FIELD]` from just after `steps`, or undefined when no step name follows. */
function stepReference(source: string, from: number): { text: string; end: number } | undefined {
  const dot = skipSpaces(source, from);
  if (source.charAt(dot) !== '.') return undefined;
  const nameAt = skipSpaces(source, dot + 1);
  const name = STEP_NAME.exec(source.slice(nameAt))?.[0];
  if (name === undefined) return undefined;
  const base = `steps[${JSON.stringify(name)}]`;
  const nameEnd = nameAt + name.length;
  const fieldDot = skipSpaces(source, nameEnd);
  if (source.charAt(fieldDot) !== '.') return { text: base, end: nameEnd };
  const fieldAt = skipSpaces(source, fieldDot + 1);
  if (!IDENT_START.test(source.charAt(fieldAt))) return { text: base, end: nameEnd };
  const field = source.slice(fieldAt, identifierEnd(source, fieldAt));
  if (field === 'outputs') return { text: base, end: nameEnd };
  return { text: `${base}.outputs.${field}`, end: fieldAt + field.length };
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
