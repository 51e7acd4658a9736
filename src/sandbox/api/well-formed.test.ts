import { describe, expect, it } from 'vitest';
import { wellFormed } from './well-formed.ts';

describe('wellFormed', () => {
  it('turns lone surrogates into U+FFFD in values and keys, as Go decodes them', () => {
    const body = JSON.parse(
      '{"data":{"k":"a\\ud800b","\\udc00":"x","pair":"\\ud83d\\ude00"},"list":["\\ud800"]}',
    );

    const out = wellFormed(body) as { data: Record<string, string>; list: string[] };

    expect(out.data).toEqual({ k: 'a\ufffdb', '\ufffd': 'x', pair: '😀' });
    expect(out.list).toEqual(['\ufffd']);
    expect(JSON.stringify(out)).not.toContain('\\ud');
  });

  it('keeps a __proto__ key an own key', () => {
    const out = wellFormed(JSON.parse('{"__proto__":{"polluted":"\\ud800"}}')) as object;

    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
