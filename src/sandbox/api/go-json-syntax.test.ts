import { describe, expect, it } from 'vitest';
import { goJsonSyntaxError } from './go-json-syntax.ts';

const check = (text: string) => goJsonSyntaxError(Buffer.from(text, 'latin1'));

describe("Go's JSON syntax errors", () => {
  it.each([
    ['{"v":1,"rv":2}', undefined],
    [' [1, -2.5e+3, "a\\u00e9", true, false, null, {}] ', undefined],
    ['0', undefined],
    ['', 'unexpected end of JSON input'],
    ['{"a":', 'unexpected end of JSON input'],
    ['12', undefined],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['\x81', "invalid character '\\u0081' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b"}', "invalid character '\"' after object key:value pair"],
    ['{,}', "invalid character ',' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{} x', "invalid character 'x' after top-level value"],
    ['tru', 'unexpected end of JSON input'],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['nul1', "invalid character '1' in literal null (expecting 'l')"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['"a\x01"', "invalid character '\\x01' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
  ])('reads %j as Go does', (text, message) => {
    expect(check(text)).toBe(message);
  });

  it("takes ten thousand levels of nesting and refuses the next, as Go's scanner does", () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

    expect(check(nested(10_000))).toBeUndefined();
    expect(check(nested(10_001))).toBe("invalid character '[' exceeded max depth");
    expect(check(`${'{"a":'.repeat(10_001)}1${'}'.repeat(10_001)}`)).toBe(
      "invalid character '{' exceeded max depth",
    );
  });
});
