import {
  describedValue,
  namedInPath,
  nextLineArgument,
  pairedValueKey,
  type Replacement,
} from './redact-neighbours.ts';
import { REDACTED } from './redacted.ts';
import { isHarmlessValue, isSecretKey } from './secret-key.ts';
import { Cursor } from './text-cursor.ts';

/**
 * Redacts the value of every pair in text whose key names a secret, whatever the notation:
 * YAML (block scalars and indented values too), JSON, logfmt, query strings, HTTP headers, env
 * and properties files, connection strings, and `--flag value` / `--flag=value`.
 *
 * One pass from left to right, in time proportional to the text: the pattern starts only where a
 * run of key characters starts and reads at most 128 of them; a value is read once and skipped
 * when redacted; the next newline and the next quote are looked up through a cursor that only
 * moves forward. Nothing here backtracks over a run of unbounded length.
 */

const PAIR = new RegExp(
  [
    String.raw`(?<![\w.\/-])`,
    // 1, 2: a quoted key, which may hold spaces; 3: a bare key; 4: the separator.
    String.raw`(?:(?:(\\{0,3}["'])([\w.\/ -]{1,128})\1|([\w.\/-]{1,128}))([ \t]{0,8}(?:=>|:=|[:=])[ \t]{0,8})`,
    // 5: a command-line flag followed by its value after spaces, or (6) alone at a line's end.
    String.raw`|(--?[A-Za-z][\w.-]{0,126})(?:[ \t]{1,8}(?=[^\s-])|([ \t]{0,8})(?=\r?\n)))`,
  ].join(''),
  'g',
);

const TOKEN = /[^\s"',;&<>)}]*/y;
const SCHEME = /(?:bearer|basic|token|digest|negotiate|ntlm|aws4-hmac-sha256)[ \t]{1,8}(?=[^\s])/iy;
const BLOCK_HEADER = /[|>][1-9+-]{0,2}[ \t]{0,64}(?:#[^\n]{0,256})?\r?(?:\n|$)/y;
const IS_KEY = /[ \t]{0,8}:/y;
const MAPPING_LINE =
  /[ \t]{0,256}(?:-[ \t]{1,8})?(?:"[^"\n]{1,128}"|'[^'\n]{1,128}'|[\w./-]{1,128})[ \t]{0,8}:(?![^ \t\r\n])/y;

type Pair = {
  key: string;
  /** Indentation of the key's line when the key starts it; undefined when the key is mid-line. */
  indent: number | undefined;
  quotedKey: boolean;
  separator: string;
};

export function redactPairs(text: string): string {
  const pattern = new RegExp(PAIR.source, PAIR.flags);
  const cursor = new Cursor(text);
  const ahead = new Cursor(text);
  let out = '';
  let copied = 0;
  let pairedValueAt = -1;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const [whole, quote, quotedKey, bareKey, separator = ' ', flag, flagAlone] = match;
    const named = quotedKey ?? bareKey ?? flag ?? '';
    const key = isSecretKey(named) ? named : (namedInPath(text, match.index, named) ?? named);
    if (!isSecretKey(key) && match.index !== pairedValueAt) {
      if (flag === undefined && /^(?:name|key)$/i.test(key))
        pairedValueAt = pairedValueKey(text, match.index, match.index + whole.length, ahead);
      continue;
    }
    const pair: Pair = {
      key,
      indent: lineIndent(text, match.index),
      quotedKey: quote !== undefined,
      separator: flag === undefined ? separator : ' ',
    };
    const at = match.index + whole.length;
    const found =
      flagAlone === undefined
        ? throughChanges(text, readValue(text, at, pair, cursor), cursor)
        : nextLineArgument(text, cursor.newline(at), pair.indent);
    if (found === undefined) continue;
    out += text.slice(copied, found.start) + found.text;
    copied = found.end;
    pattern.lastIndex = Math.max(pattern.lastIndex, found.end);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const ARROW = /["']?[ \t]{0,4}(?:→|->)[ \t]{0,4}/y;

/**
 * `password: old → new`, as a list of changes shows a field: the value after each arrow is the
 * secret too, unless it already says it is hidden (`[redacted; changed]`, `(unset)`).
 */
function throughChanges(
  text: string,
  found: Replacement | undefined,
  cursor: Cursor,
): Replacement | undefined {
  if (found === undefined) return undefined;
  let end = found.end;
  for (let changes = 0; changes < 4; changes++) {
    ARROW.lastIndex = end;
    if (!ARROW.test(text)) break;
    const at = ARROW.lastIndex;
    const first = text[at];
    if (first === undefined || first === '(' || first === '<' || text.startsWith('[redacted', at))
      break;
    const lineEnd = cursor.newline(at);
    let next: number;
    if (first === '"' || first === "'")
      next = closingQuote(text, at + 1, first, 0, lineEnd, cursor) ?? lineEnd;
    else {
      TOKEN.lastIndex = at;
      TOKEN.test(text);
      next = TOKEN.lastIndex;
    }
    if (next <= at) break;
    end = next;
  }
  return end === found.end ? found : { start: found.start, end, text: REDACTED };
}

function readValue(text: string, at: number, pair: Pair, cursor: Cursor): Replacement | undefined {
  if (text.startsWith('[redacted', at)) return undefined;
  const lineEnd = cursor.newline(at);
  const first = text[at];
  if (first === undefined || at === lineEnd || (first === '\r' && at + 1 === lineEnd)) {
    if (pair.indent === undefined) return undefined;
    return (
      describedValue(text, lineEnd, cursor) ?? indentedValue(text, lineEnd, pair.indent, cursor)
    );
  }
  if (pair.indent !== undefined && (first === '|' || first === '>')) {
    BLOCK_HEADER.lastIndex = at;
    if (BLOCK_HEADER.test(text)) return blockScalar(text, lineEnd, pair.indent, cursor);
  }
  if (first === '"' || first === "'" || first === '\\')
    return quotedValue(text, at, lineEnd, pair, cursor);
  if (first === '[') return flowSequence(text, at, lineEnd, cursor);
  if (first === '{') return flowMapValue(text, at, lineEnd, pair, cursor);
  return plainValue(text, at, lineEnd, pair, cursor);
}

/** A value up to the end of its token, or of its line for YAML, properties and cookie headers. */
function plainValue(
  text: string,
  at: number,
  lineEnd: number,
  pair: Pair,
  cursor: Cursor,
): Replacement | undefined {
  // `volume "token" : secret "x" not found` (kubelet): a quoted word, spaced from a colon and
  // followed by bare words, is prose; JSON that spaces its colons quotes its strings.
  if (pair.quotedKey && /^[ \t]/.test(pair.separator) && pair.separator.includes(':'))
    return undefined;
  let start = at;
  SCHEME.lastIndex = at;
  if (SCHEME.test(text)) start = SCHEME.lastIndex;
  if (text.startsWith('[redacted', start)) return undefined;
  const words = pair.key.toLowerCase();
  const cookie = /(?:^|-)cookie$/.test(words) && pair.separator.includes(':');
  const wholeLine =
    pair.indent !== undefined &&
    !pair.quotedKey &&
    (pair.separator.includes(':') || /\s/.test(pair.separator));
  let end: number;
  if (cookie) end = Math.min(lineEnd, cursor.next('"', at), cursor.next("'", at));
  else if (wholeLine) end = lineEnd;
  else {
    TOKEN.lastIndex = start;
    TOKEN.test(text);
    end = TOKEN.lastIndex;
  }
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  const value = text.slice(start, end);
  if (end <= start || isHarmlessValue(value, pair.key) || isImageReference(pair, value))
    return undefined;
  return { start, end, text: REDACTED };
}

/** `ghcr.io/acme/secrets-operator:v0.9.1`, `auth-proxy:1.4`: an image and its tag, not a pair. */
function isImageReference(pair: Pair, value: string): boolean {
  if (pair.quotedKey || pair.separator !== ':') return false;
  return (
    pair.key.includes('/') ||
    /^(?:v?\d{1,8}(?:\.\d{1,8}){1,3}(?:[-+][\w.]{0,64})?|latest)$/.test(value)
  );
}

const FLOW_VALUE = /\{[ \t]{0,8}(\\{0,3}["']?)value\1[ \t]{0,8}:[ \t]{0,8}/y;

/**
 * `secret: {value: …}` or `"token": {"value": "…"}`: the value the map holds under a secret key.
 * Any other map is left to its own keys (`secret: {secretName: db-creds}` names a Secret).
 */
function flowMapValue(
  text: string,
  at: number,
  lineEnd: number,
  pair: Pair,
  cursor: Cursor,
): Replacement | undefined {
  FLOW_VALUE.lastIndex = at;
  if (!FLOW_VALUE.test(text)) return undefined;
  const start = FLOW_VALUE.lastIndex;
  const inner: Pair = { key: 'value', indent: undefined, quotedKey: true, separator: ':' };
  const first = text[start];
  if (first === '"' || first === "'" || first === '\\')
    return quotedValue(text, start, lineEnd, inner, cursor);
  TOKEN.lastIndex = start;
  TOKEN.test(text);
  const end = Math.min(TOKEN.lastIndex, lineEnd);
  const value = text.slice(start, end);
  if (end <= start || isHarmlessValue(value, pair.key)) return undefined;
  return { start, end, text: REDACTED };
}

/** `"…"`, `'…'`, or `\"…\"` inside a string that is itself quoted; unclosed: to the line's end. */
function quotedValue(
  text: string,
  at: number,
  lineEnd: number,
  pair: Pair,
  cursor: Cursor,
): Replacement | undefined {
  let slashes = 0;
  while (text[at + slashes] === '\\' && slashes < 3) slashes++;
  const quote = text[at + slashes];
  if (quote !== '"' && quote !== "'") return undefined;
  const start = at + slashes + 1;
  const close = closingQuote(text, start, quote, slashes, lineEnd, cursor);
  if (close === undefined) {
    const continued =
      pair.indent === undefined || slashes > 0
        ? undefined
        : closingOnNextLines(text, lineEnd, quote, pair.indent, cursor);
    let end = continued ?? lineEnd;
    while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
    return end > start ? { start, end, text: REDACTED } : undefined;
  }
  IS_KEY.lastIndex = close + slashes + 1;
  if (IS_KEY.test(text)) return undefined;
  if (isHarmlessValue(text.slice(start, close), pair.key)) return undefined;
  return { start, end: close, text: REDACTED };
}

/**
 * A quoted YAML scalar may go on over lines indented under its key: where it closes on one of
 * the next few such lines, if it does.
 */
function closingOnNextLines(
  text: string,
  lineEnd: number,
  quote: string,
  indent: number,
  cursor: Cursor,
): number | undefined {
  for (let line = lineEnd + 1, lines = 0; line < text.length && lines < 20; lines++) {
    const next = cursor.newline(line);
    let content = line;
    while (content - line <= indent && (text[content] === ' ' || text[content] === '\t')) content++;
    if (content - line <= indent && content < next) return undefined;
    const close = closingQuote(text, content, quote, 0, next, cursor);
    if (close !== undefined) return close;
    line = next + 1;
  }
  return undefined;
}

/** Where the quote opened with `slashes` backslashes closes on this line, if it does. */
function closingQuote(
  text: string,
  from: number,
  quote: string,
  slashes: number,
  lineEnd: number,
  cursor: Cursor,
): number | undefined {
  for (let at = cursor.next(quote, from); at < lineEnd; at = cursor.next(quote, at + 1)) {
    let run = 0;
    while (text[at - 1 - run] === '\\') run++;
    if (slashes === 0 ? run % 2 === 0 : run === slashes) return at - run;
  }
  return undefined;
}

/** `[a, b]` under a secret key: every item is one. A nested structure is left to its own keys. */
function flowSequence(
  text: string,
  at: number,
  lineEnd: number,
  cursor: Cursor,
): Replacement | undefined {
  const close = cursor.next(']', at);
  if (close >= lineEnd || close - at > 4096) return undefined;
  const inside = text.slice(at + 1, close);
  if (/[[{]/.test(inside) || isHarmlessValue(inside)) return undefined;
  return { start: at + 1, end: close, text: REDACTED };
}

/** `password: |` and the lines indented under it. */
function blockScalar(
  text: string,
  lineEnd: number,
  indent: number,
  cursor: Cursor,
): Replacement | undefined {
  return indentedLines(text, lineEnd, indent, cursor, true);
}

/** `password:` at the end of a line with its value on the lines under it (not a nested map). */
function indentedValue(
  text: string,
  lineEnd: number,
  indent: number,
  cursor: Cursor,
): Replacement | undefined {
  return indentedLines(text, lineEnd, indent, cursor, false);
}

function indentedLines(
  text: string,
  lineEnd: number,
  indent: number,
  cursor: Cursor,
  literal: boolean,
): Replacement | undefined {
  let end = lineEnd;
  let firstLine: string | undefined;
  for (let line = lineEnd + 1; line < text.length; ) {
    const next = cursor.newline(line);
    let content = line;
    while (text[content] === ' ' || text[content] === '\t') content++;
    if (content >= next || (text[content] === '\r' && content + 1 >= next)) {
      line = next + 1;
      continue;
    }
    if (content - line <= indent) break;
    if (firstLine === undefined) {
      MAPPING_LINE.lastIndex = line;
      if (!literal && MAPPING_LINE.test(text)) return undefined;
      firstLine = text.slice(line, Math.min(next, line + 300));
    }
    end = next;
    line = next + 1;
  }
  if (firstLine === undefined) return undefined;
  const lead = /^[ \t]*(?:-[ \t]+)?/.exec(firstLine)?.[0] ?? '';
  const replacement = `\n${lead}${REDACTED}`;
  if (text.slice(lineEnd, end).replace(/\r/g, '') === replacement) return undefined;
  return { start: lineEnd, end, text: replacement };
}

/**
 * The indentation of the line `at` is on when only indentation (and a YAML list's or a diff's
 * `-`/`+`) comes before it on the line; undefined when the key stands mid-line.
 */
function lineIndent(text: string, at: number): number | undefined {
  let start = at;
  while (start > 0 && at - start < 80 && /[ \t+-]/.test(text[start - 1] ?? '')) start--;
  if (start > 0 && text[start - 1] !== '\n') return undefined;
  const prefix = /^([ \t]*)(?:[-+][ \t]*)?$/.exec(text.slice(start, at));
  return prefix === null ? undefined : (prefix[1] ?? '').length;
}
