import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CoxswainError } from '../errors.ts';
import { bound, defineTool, MAX_OUTPUT, namespaceScope, runTool } from './tool.ts';

const echo = defineTool({
  name: 'echo',
  description: 'says what it is told',
  verb: 'get',
  scope: () => ({ namespaces: [] }),
  input: z.object({ text: z.string().max(20), fail: z.enum(['coxswain', 'other']).optional() }),
  async run(_context: undefined, input) {
    if (input.fail === 'coxswain')
      throw new CoxswainError('kubernetes_api', `refused: token=abc123def456ghi`);
    if (input.fail === 'other')
      throw new TypeError("Cannot read properties of undefined (reading 'usage')");
    return input.text;
  },
});

describe('runTool', () => {
  it('returns the output, with credentials redacted', async () => {
    expect(await runTool(echo, undefined, { text: 'password=hunter22' })).toEqual({
      ok: true,
      text: 'password=[redacted]',
    });
  });

  it('names the field when the input is invalid', async () => {
    const result = await runTool(echo, undefined, { text: 'x'.repeat(21) });

    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? '' : result.error).toMatch(/^invalid input for echo: text: /);
  });

  it('turns failures, expected or not, into results instead of throwing', async () => {
    const refused = await runTool(echo, undefined, { text: 'x', fail: 'coxswain' });
    const broken = await runTool(echo, undefined, { text: 'x', fail: 'other' });

    expect(refused).toEqual({ ok: false, error: 'refused: token=[redacted]' });
    expect(broken).toEqual({
      ok: false,
      error: "echo failed unexpectedly: Cannot read properties of undefined (reading 'usage')",
    });
  });
});

describe('bound', () => {
  it('cuts long output at a line and says how much is left', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');

    const out = bound(text);

    expect(out.length).toBeLessThan(MAX_OUTPUT + 100);
    expect(out).toMatch(/\n… output cut: \d+ more lines; narrow the request/);
  });
});

describe('namespaceScope', () => {
  it('is the one namespace a call names, or every namespace when it names none', () => {
    expect(namespaceScope('shop')).toEqual({ namespaces: ['shop'] });
    expect(namespaceScope(undefined)).toEqual({ namespaces: 'all' });
  });
});
