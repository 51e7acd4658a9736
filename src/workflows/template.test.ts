import { describe, expect, it } from 'vitest';
import type { ExpressionContext, ExpressionNames } from './expression.ts';
import {
  compileCondition,
  compileTemplate,
  evaluateCondition,
  renderTemplate,
} from './template.ts';

const names: ExpressionNames = {
  roots: ['inputs', 'alert', 'steps', 'cluster', 'actions_proposed'],
  inputs: ['namespace', 'lines'],
  steps: ['diagnose', 'check-logs'],
};

const context: ExpressionContext = {
  inputs: { namespace: 'shop', lines: 100 },
  alert: { labels: { namespace: 'prod', pod: 'api-7', severity: 'warning' } },
  steps: {
    diagnose: { outputs: { pod: 'api-7', cause: 'oom', containers: ['api', 'proxy'] } },
    'check-logs': { outputs: { cause: 'oom' } },
  },
  cluster: { name: 'prod-eu' },
  actions_proposed: false,
};

function render(text: string, ctx: ExpressionContext = context) {
  const compiled = compileTemplate(text, { names });
  if (!compiled.ok) throw new Error(`did not compile: ${compiled.error}`);
  return renderTemplate(compiled.template, ctx);
}

function templateError(text: string) {
  const compiled = compileTemplate(text, { names });
  return compiled.ok ? 'compiled' : compiled.error;
}

function test(text: string, ctx: ExpressionContext = context) {
  const compiled = compileCondition(text, { names });
  if (!compiled.ok) throw new Error(`did not compile: ${compiled.error}`);
  return evaluateCondition(compiled.condition, ctx);
}

function conditionError(text: string) {
  const compiled = compileCondition(text, { names });
  return compiled.ok ? 'compiled' : compiled.error;
}

describe('templates', () => {
  it("renders the seed's templates", () => {
    expect(render('{{ alert.labels.namespace }}')).toEqual({ ok: true, value: 'prod' });
    expect(render('{{ alert.labels.pod }}')).toEqual({ ok: true, value: 'api-7' });
    expect(render('{{ steps.diagnose.pod }}')).toEqual({ ok: true, value: 'api-7' });
    expect(render('{{ steps.diagnose.outputs.pod }}')).toEqual({ ok: true, value: 'api-7' });
    expect(render('{{ steps.check-logs.cause }}')).toEqual({ ok: true, value: 'oom' });
  });

  it('keeps the type of a template that is exactly one expression', () => {
    expect(render('{{ inputs.lines }}')).toEqual({ ok: true, value: 100 });
    expect(render(' {{ inputs.lines > 50 }} ')).toEqual({ ok: true, value: ' true ' });
    expect(render('{{ inputs.lines > 50 }}')).toEqual({ ok: true, value: true });
    expect(render('{{ steps.diagnose.containers }}')).toEqual({
      ok: true,
      value: ['api', 'proxy'],
    });
  });

  it('stringifies and joins the parts of a mixed template', () => {
    expect(
      render('Pods in {{ inputs.namespace }} on {{ cluster.name }}: {{ inputs.lines }}'),
    ).toEqual({
      ok: true,
      value: 'Pods in shop on prod-eu: 100',
    });
    expect(render('containers {{ steps.diagnose.containers }}')).toEqual({
      ok: true,
      value: 'containers ["api","proxy"]',
    });
    expect(render('plain text')).toEqual({ ok: true, value: 'plain text' });
    expect(render('')).toEqual({ ok: true, value: '' });
  });

  it('finds the closing braces past braces inside a string literal', () => {
    expect(render("{{ '}}' + inputs.namespace }}")).toEqual({ ok: true, value: '}}shop' });
  });

  it('counts columns in messages from the start of the template text', () => {
    expect(templateError('Restart {{ steps.notify.pod }}')).toBe(
      'column 12: unknown step "notify" (readable here: diagnose, check-logs)',
    );
    expect(templateError('in {{ inputs.namespace ')).toBe('column 4: "{{" has no closing "}}"');
    expect(templateError('a {{   }} b')).toBe('column 5: the expression is empty');
  });

  it('fails a render with the first failing part', () => {
    expect(render('pod {{ alert.labels.container }}')).toEqual({
      ok: false,
      error: 'column 21: no field "container"',
    });
  });

  it('bounds the text and its parts', () => {
    expect(templateError('x'.repeat(20_001))).toBe('the text is longer than 20000 characters');
    expect(templateError('{{ inputs.lines }} '.repeat(51))).toBe('more than 50 {{ }} parts');
  });
});

describe('conditions', () => {
  it("evaluates the seed's conditions, wrapped or bare", () => {
    expect(test("{{ steps.check-logs.cause == 'oom' }}")).toEqual({ ok: true, value: true });
    expect(
      test("steps.diagnose.cause == 'oom' && alert.labels.severity in ['critical', 'warning']"),
    ).toEqual({ ok: true, value: true });
    expect(test('actions_proposed')).toEqual({ ok: true, value: false });
    expect(test('{{ actions_proposed }}', { ...context, actions_proposed: true })).toEqual({
      ok: true,
      value: true,
    });
  });

  it('refuses a condition whose type is known not to be a boolean', () => {
    expect(conditionError("'oom'")).toBe('the condition gives a string, not true or false');
    expect(conditionError('{{ size(inputs.namespace) }}')).toBe(
      'the condition gives a int, not true or false',
    );
  });

  it('refuses at run time a value that is not a boolean', () => {
    expect(test('steps.diagnose.cause')).toEqual({
      ok: false,
      error: 'the condition gave "oom", not true or false',
    });
  });

  it('reports errors with columns in the text as written', () => {
    expect(conditionError("{{ steps.check-log.cause == 'oom' }}")).toBe(
      'column 4: unknown step "check-log" (readable here: diagnose, check-logs)',
    );
    expect(conditionError('{{ actions_proposed }} and {{ actions_proposed }}')).toBe(
      'column 21: Expected COLON, got RBRACE',
    );
  });
});
