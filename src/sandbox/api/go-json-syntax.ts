/**
 * The syntax error Go's `encoding/json` gives for bytes that are not JSON (its scanner checks
 * the whole input before decoding anything), or undefined for valid JSON. The messages name the
 * offending byte and where the scanner was: `invalid character 'x' after object key`.
 */
type Step = (c: number) => Step | string;

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

export function goJsonSyntaxError(bytes: Uint8Array): string | undefined {
  const stack: ('object' | 'array')[] = [];
  let done = false;

  const fail = (c: number, context: string) => `invalid character ${goQuoteChar(c)} ${context}`;

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
  const keyString = inString(() => colon);
  const valueString = inString(() => endValue);
  const beginKey: Step = (c) => {
    if (SPACE.has(c)) return beginKey;
    return c === 0x22 ? keyString : fail(c, 'looking for beginning of object key string');
  };
  const beginKeyOrEmpty: Step = (c) => {
    if (SPACE.has(c)) return beginKeyOrEmpty;
    if (c === 0x7d) {
      stack.pop();
      return endValue;
    }
    return beginKey(c);
  };
  const beginValueOrEmpty: Step = (c) => {
    if (SPACE.has(c)) return beginValueOrEmpty;
    if (c === 0x5d) {
      stack.pop();
      return endValue;
    }
    return beginValue(c);
  };
  const literal = (word: string, at: number): Step => {
    const expected = word.charCodeAt(at);
    return (c) => {
      if (c !== expected) return fail(c, `in literal ${word} (expecting ${goQuoteChar(expected)})`);
      return at + 1 === word.length ? endValue : literal(word, at + 1);
    };
  };
  const afterDigits = (first: Step): Step => {
    const self: Step = (c) => {
      if (isDigit(c)) return self;
      return first(c);
    };
    return self;
  };
  const exponentDigits: Step = afterDigits(endValue);
  const exponentSign: Step = (c) =>
    isDigit(c) ? exponentDigits : fail(c, 'in exponent of numeric literal');
  const exponent: Step = (c) => (c === 0x2b || c === 0x2d ? exponentSign : exponentSign(c));
  const fraction: Step = afterDigits((c) => (c === 0x65 || c === 0x45 ? exponent : endValue(c)));
  const dot: Step = (c) =>
    isDigit(c) ? fraction : fail(c, 'after decimal point in numeric literal');
  const afterInteger: Step = (c) => {
    if (c === 0x2e) return dot;
    if (c === 0x65 || c === 0x45) return exponent;
    return endValue(c);
  };
  const integer: Step = afterDigits(afterInteger);
  const negative: Step = (c) => {
    if (c === 0x30) return afterInteger;
    return isDigit(c) ? integer : fail(c, 'in numeric literal');
  };
  const beginValue: Step = (c) => {
    if (SPACE.has(c)) return beginValue;
    switch (c) {
      case 0x7b:
        stack.push('object');
        return beginKeyOrEmpty;
      case 0x5b:
        stack.push('array');
        return beginValueOrEmpty;
      case 0x22:
        return valueString;
      case 0x2d:
        return negative;
      case 0x30:
        return afterInteger;
      case 0x74:
        return literal('true', 1);
      case 0x66:
        return literal('false', 1);
      case 0x6e:
        return literal('null', 1);
    }
    return isDigit(c) ? integer : fail(c, 'looking for beginning of value');
  };

  let step: Step = beginValue;
  for (const c of bytes) {
    const next = step(c);
    if (typeof next === 'string') return next;
    step = next;
  }
  // At the end of the input the scanner is fed a space: only a finished value ends cleanly.
  const end = step(0x20);
  return done && end === endTop ? undefined : 'unexpected end of JSON input';

  /** A string's body, then `after`: control bytes refused, escapes checked. */
  function inString(after: () => Step): Step {
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
