import { describe, expect, it } from 'vitest';
import { LINEAR_MATCHES, rewriteSource, withStepKeys } from './expression-source.ts';

describe('rewriteSource', () => {
  it('spells hyphens in step names as __, so they parse as a select', () => {
    expect(rewriteSource('steps.check-logs.outputs.cause').text).toBe(
      'steps.check__logs.outputs.cause',
    );
    expect(rewriteSource('steps.diagnose').text).toBe('steps.diagnose');
  });

  it('expands the shorthand steps.NAME.FIELD to the outputs', () => {
    expect(rewriteSource("steps.check-logs.cause == 'oom'").text).toBe(
      "steps.check__logs.outputs.cause == 'oom'",
    );
  });

  it('rewrites every reference, and only at the root', () => {
    expect(rewriteSource('steps.a-b.x + steps.c.y').text).toBe(
      'steps.a__b.outputs.x + steps.c.outputs.y',
    );
    expect(rewriteSource('alert.steps.a-b').text).toBe('alert.steps.a-b');
    expect(rewriteSource('mysteps.a-b').text).toBe('mysteps.a-b');
  });

  it('leaves string literals alone, of every quoting', () => {
    for (const literal of [
      "'steps.a-b.c'",
      '"steps.a-b.c"',
      "'''steps.a-b.c'''",
      '"""x\nsteps.a-b.c"""',
      "r'steps.a-b.c'",
      "b'steps.a-b.c'",
      "'it\\'s steps.a-b.c'",
      "'x'.matches('y').matches",
    ])
      expect(rewriteSource(literal).text).toBe(
        literal.replace(".matches('y')", `.${LINEAR_MATCHES}('y')`),
      );
  });

  it('keeps a spaced hyphen a minus', () => {
    expect(rewriteSource('steps.a.n - 1').text).toBe('steps.a.outputs.n - 1');
  });

  it('sends matches() calls to the linear-time engine, and nothing else named matches', () => {
    expect(rewriteSource("alert.labels.pod.matches('^api')").text).toBe(
      `alert.labels.pod.${LINEAR_MATCHES}('^api')`,
    );
    expect(rewriteSource('alert.labels.matches').text).toBe('alert.labels.matches');
  });

  it('records each step name as written, by its spelling', () => {
    expect([...rewriteSource('steps.check-logs.cause + steps.a.b').steps]).toEqual([
      ['check__logs', 'check-logs'],
      ['a', 'a'],
    ]);
  });

  it("gives the run's hyphenated steps their spelling too, keeping the names as written", () => {
    const steps = { 'check-logs': { outputs: {} }, diagnose: { outputs: {} } };

    expect(withStepKeys({ steps, cluster: {} })).toEqual({
      steps: { ...steps, check__logs: steps['check-logs'] },
      cluster: {},
    });
    expect(withStepKeys({ inputs: {} })).toEqual({ inputs: {} });
  });

  it('maps offsets in the rewritten text back to the source', () => {
    const source = "steps.check-logs.cause == 'oom' && nope";
    const rewritten = rewriteSource(source);

    expect(rewritten.toSource(rewritten.text.indexOf('nope'))).toBe(source.indexOf('nope'));
    expect(rewritten.toSource(rewritten.text.indexOf('check__logs'))).toBe(0);
    expect(rewritten.toSource(0)).toBe(0);
  });
});
