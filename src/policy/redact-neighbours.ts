import { REDACTED } from './redacted.ts';
import { isHarmlessValue, isSecretKey } from './secret-key.ts';
import type { Cursor } from './text-cursor.ts';

/**
 * Values whose key is not just before them, for `redact-pairs.ts`: the `value` beside a `name`
 * that names a secret, a field path's bracketed name, `kubectl describe`'s key blocks and its
 * arguments one a line. Each looks a bounded distance around a pair the scan is at.
 */

export type Replacement = { start: number; end: number; text: string };

const NAME_VALUE = /(?:\\{0,3}["'])?([\w./-]{1,128})/y;
const SAME_LINE_VALUE = /[^{}\n]{0,256}?[,;][ \t]{0,8}(?=((?:\\{0,3}["'])?)value\1[ \t]{0,8}[:=])/y;
const VALUE_KEY = /value[ \t]{0,8}:/y;

/**
 * Where the `value` key stands that goes with a `name` (or `key`) naming a secret: an
 * environment variable (`- name: DB_PASSWORD` / `value: …`, `{"name":…,"value":…}`) or a Helm
 * parameter, in the same JSON object or flow map, or among the next few lines of the same YAML
 * mapping. -1 when the name is not a secret's or no `value` follows.
 */
export function pairedValueKey(text: string, keyAt: number, at: number, cursor: Cursor): number {
  NAME_VALUE.lastIndex = at;
  const name = NAME_VALUE.exec(text)?.[1];
  if (name === undefined || !isSecretKey(name)) return -1;
  SAME_LINE_VALUE.lastIndex = NAME_VALUE.lastIndex;
  if (SAME_LINE_VALUE.test(text)) return SAME_LINE_VALUE.lastIndex;
  const column = keyColumn(text, keyAt);
  if (column === undefined) return -1;
  let lineEnd = cursor.newline(at);
  for (let lines = 0; lines < 4 && lineEnd < text.length; lines++) {
    const line = lineEnd + 1;
    let content = line;
    while (content - line <= column && text[content] === ' ') content++;
    if (content - line < column) return -1;
    VALUE_KEY.lastIndex = content;
    if (content - line === column && VALUE_KEY.test(text)) return content;
    lineEnd = cursor.newline(line);
  }
  return -1;
}

/** The column a key starts at when only indentation and a list's `- ` come before it. */
function keyColumn(text: string, at: number): number | undefined {
  let start = at;
  while (start > 0 && at - start < 80 && /[ \t-]/.test(text[start - 1] ?? '')) start--;
  return start === 0 || text[start - 1] === '\n' ? at - start : undefined;
}

/**
 * `env[DB_PASSWORD].value`, `httpHeaders[Authorization].value`: in a field path, the list item's
 * name in brackets says whose value it is. Undefined unless that name is a secret's.
 */
export function namedInPath(text: string, at: number, key: string): string | undefined {
  if (text[at - 1] !== ']' || !/^\.?value$/.test(key)) return undefined;
  for (let open = at - 2; open >= 0 && at - open <= 130; open--) {
    const char = text[open];
    if (char === '[') {
      const name = text.slice(open + 1, at - 1).replace(/^["']|["']$/g, '');
      return isSecretKey(name) ? name : undefined;
    }
    if (char === ']' || char === '\n') return undefined;
  }
  return undefined;
}

const DASHES = /\n----\r?(?:\n|$)/y;
const KEY_DASHES = '\n----';
const DESCRIBE_SECTIONS = ['\nBinaryData\n', '\nBinaryData\r\n', '\nEvents:'];

/**
 * `kubectl describe configmap` prints each key unindented, a line `----`, then the value as it
 * is, unindented too and over as many lines as it has. The value runs to the next key printed
 * that way or to the next section (`BinaryData`, `Events:`).
 */
export function describedValue(
  text: string,
  lineEnd: number,
  cursor: Cursor,
): Replacement | undefined {
  DASHES.lastIndex = lineEnd;
  if (!DASHES.test(text)) return undefined;
  const start = Math.min(DASHES.lastIndex, text.length);
  let end = text.length;
  for (const section of DESCRIBE_SECTIONS) end = Math.min(end, cursor.next(section, start));
  for (let at = cursor.next(KEY_DASHES, start); at < end; at = cursor.next(KEY_DASHES, at + 1)) {
    const after = text[at + KEY_DASHES.length];
    const keyLine = text[at - 1] === '\r' ? at - 1 : at;
    if ((after === undefined || after === '\n' || after === '\r') && text[keyLine - 1] === ':') {
      end = Math.max(start, text.lastIndexOf('\n', keyLine - 1));
      break;
    }
  }
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  if (end <= start || text.slice(start, end) === REDACTED) return undefined;
  return { start, end, text: REDACTED };
}

/**
 * `kubectl describe` lists a container's arguments one a line, so a flag's value can be the
 * next line, at the same indentation and not itself a flag.
 */
export function nextLineArgument(
  text: string,
  lineEnd: number,
  indent: number | undefined,
): Replacement | undefined {
  if (indent === undefined || lineEnd >= text.length) return undefined;
  let start = lineEnd + 1;
  while (start - lineEnd - 1 < indent && (text[start] === ' ' || text[start] === '\t')) start++;
  if (start - lineEnd - 1 !== indent || /[\s-]/.test(text[start] ?? '-')) return undefined;
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  const value = text.slice(start, end);
  if (isHarmlessValue(value) || value.startsWith('[redacted')) return undefined;
  return { start, end, text: REDACTED };
}
