/**
 * The syntax error Go's `encoding/json` gives for bytes that are not JSON (its scanner checks
 * the whole input before decoding anything), or undefined for valid JSON. The messages name the
 * offending byte and where the scanner was: `invalid character 'x' after object key`.
 */
type Step = (c: number) => Step | string;
type Fail = (c: number, context: string) => string;

/** Go's scanner refuses the 10,001st level of nesting. */
const MAX_DEPTH = 10_000;
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const LITERALS: Record<number, string> = { 116: 'true', 102: 'false', 110: 'null' };
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

export function goJsonSyntaxError(bytes: Uint8Array): string | undefined {
  const stack: ('object' | 'array')[] = [];
  let done = false;

  const fail: Fail = (c, context) => `invalid character ${goQuoteChar(c)} ${context}`;

  /** After a complete value: what the enclosing object or array, or the top level, allows. */
  const endValue: Step = (c) => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      done = true;
      return endTop(c);
    }
    if (SPACE.has(c)) return endValue;
    if (top === 'object' && c === 0x2c) return beginKey;
    if (top === 'object' && c === 0x7d) {
      stack.pop();
      return endValue;
    }
    if (top === 'array' && c === 0x2c) return beginValue;
    if (top === 'array' && c === 0x5d) {
      stack.pop();
      return endValue;
    }
    return fail(c, top === 'object' ? 'after object key:value pair' : 'after array element');
  };
  const endTop: Step = (c) => (SPACE.has(c) ? endTop : fail(c, 'after top-level value'));
  const colon: Step = (c) => {
    if (SPACE.has(c)) return colon;
    return c === 0x3a ? beginValue : fail(c, 'after object key');
  };
  const keyString = stringSteps(() => colon, fail);
  const valueString = stringSteps(() => endValue, fail);
  const beginKey: Step = (c) => {
    if (SPACE.has(c)) return beginKey;
    return c === 0x22 ? keyString : fail(c, 'looking for beginning of object key string');
  };
  /** Just inside `{` or `[`: the closing byte ends it at once, anything else starts an entry. */
  const closeOr = (closer: number, entry: Step): Step => {
    const self: Step = (c) => {
      if (SPACE.has(c)) return self;
      if (c !== closer) return entry(c);
      stack.pop();
      return endValue;
    };
    return self;
  };
  const beginKeyOrEmpty = closeOr(0x7d, (c) => beginKey(c));
  const beginValueOrEmpty = closeOr(0x5d, (c) => beginValue(c));
  const { negative, integer, zero } = numberSteps(endValue, fail);
  const literal = (word: string) => literalSteps(word, 1, endValue, fail);
  const beginValue: Step = (c) => {
    if (SPACE.has(c)) return beginValue;
    switch (c) {
      case 0x7b:
        stack.push('object');
        return stack.length > MAX_DEPTH ? fail(c, 'exceeded max depth') : beginKeyOrEmpty;
      case 0x5b:
        stack.push('array');
        return stack.length > MAX_DEPTH ? fail(c, 'exceeded max depth') : beginValueOrEmpty;
      case 0x22:
        return valueString;
      case 0x2d:
        return negative;
      case 0x30:
        return zero;
    }
    const word = LITERALS[c];
    if (word !== undefined) return literal(word);
    return isDigit(c) ? integer : fail(c, 'looking for beginning of value');
  };

  const end = run(bytes, beginValue);
  if (typeof end === 'string' && end !== '') return end;
  return done && end === endTop ? undefined : 'unexpected end of JSON input';
}

/**
 * Feeds every byte to the scanner, then a space, as Go's scanner ends its input: the error it
 * met, or the step it ended on.
 */
function run(bytes: Uint8Array, start: Step): Step | string {
  let step = start;
  for (const c of bytes) {
    const next = step(c);
    if (typeof next === 'string') return next;
    step = next;
  }
  const end = step(0x20);
  return typeof end === 'string' ? '' : end;
}

/** A string's body, then `after`: control bytes refused, escapes checked. */
function stringSteps(after: () => Step, fail: Fail): Step {
  const body: Step = (c) => {
    if (c === 0x22) return after();
    if (c === 0x5c) return escaped;
    return c < 0x20 ? fail(c, 'in string literal') : body;
  };
  const hex =
    (left: number): Step =>
    (c) => {
      if (!isHex(c)) return fail(c, 'in \\u hexadecimal character escape');
      return left === 1 ? body : hex(left - 1);
    };
  const escaped: Step = (c) => {
    if ('bfnrt\\/"'.includes(String.fromCharCode(c))) return body;
    return c === 0x75 ? hex(4) : fail(c, 'in string escape code');
  };
  return body;
}

/** A literal's remaining letters (`rue` of `true`), then `after`. */
function literalSteps(word: string, at: number, after: Step, fail: Fail): Step {
  const expected = word.charCodeAt(at);
  return (c) => {
    if (c !== expected) return fail(c, `in literal ${word} (expecting ${goQuoteChar(expected)})`);
    return at + 1 === word.length ? after : literalSteps(word, at + 1, after, fail);
  };
}

/** A number after its first byte: after `-`, after a leading 1-9, after a leading 0. */
function numberSteps(after: Step, fail: Fail): { negative: Step; integer: Step; zero: Step } {
  const digits = (next: Step): Step => {
    const self: Step = (c) => (isDigit(c) ? self : next(c));
    return self;
  };
  const exponentDigits = digits(after);
  const exponentSign: Step = (c) =>
    isDigit(c) ? exponentDigits : fail(c, 'in exponent of numeric literal');
  const exponent: Step = (c) => (c === 0x2b || c === 0x2d ? exponentSign : exponentSign(c));
  const fraction = digits((c) => (c === 0x65 || c === 0x45 ? exponent : after(c)));
  const dot: Step = (c) =>
    isDigit(c) ? fraction : fail(c, 'after decimal point in numeric literal');
  const zero: Step = (c) => {
    if (c === 0x2e) return dot;
    if (c === 0x65 || c === 0x45) return exponent;
    return after(c);
  };
  const integer = digits(zero);
  const negative: Step = (c) => {
    if (c === 0x30) return zero;
    return isDigit(c) ? integer : fail(c, 'in numeric literal');
  };
  return { negative, integer, zero };
}

/** Go's `quoteChar` for one byte of the input: `'x'`, `'\''`, `'\u0081'`. */
export function goQuoteChar(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return `'"'`;
  const named: Record<number, string> = {
    7: 'a',
    8: 'b',
    9: 't',
    10: 'n',
    11: 'v',
    12: 'f',
    13: 'r',
    92: '\\',
  };
  if (named[byte] !== undefined) return `'\\${named[byte]}'`;
  if (byte < 0x20 || byte === 0x7f) return `'\\x${byte.toString(16).padStart(2, '0')}'`;
  if (byte < 0x7f) return `'${String.fromCharCode(byte)}'`;
  // A byte of 0x80 or more is read as the rune of that number; Go prints U+00A1..U+00FF itself.
  if (byte <= 0xa0 || byte === 0xad) return `'\\u${byte.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(byte)}'`;
}
