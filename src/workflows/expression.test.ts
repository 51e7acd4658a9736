import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  type ExpressionContext,
  type ExpressionNames,
  evaluate,
  MAX_EXPRESSION_LENGTH,
} from './expression.ts';

const names: ExpressionNames = {
  roots: ['inputs', 'alert', 'steps', 'cluster', 'actions_proposed'],
  inputs: ['namespace', 'replicas'],
  steps: ['diagnose', 'check-logs'],
};

const context: ExpressionContext = {
  inputs: { namespace: 'shop', replicas: 3 },
  alert: {
    status: 'firing',
    startsAt: '2026-12-06T10:00:00Z',
    labels: {
      alertname: 'KubePodCrashLooping',
      namespace: 'prod',
      pod: 'api-7',
      severity: 'critical',
    },
    annotations: { summary: 'Pod prod/api-7 is crash looping' },
  },
  steps: {
    diagnose: {
      outputs: { pod: 'api-7', cause: 'oom', restarts: 12, containers: ['api', 'proxy'] },
    },
    'check-logs': { outputs: { cause: 'oom', ratio: 0.5 } },
  },
  cluster: { name: 'prod-eu' },
  actions_proposed: true,
};

function run(source: string, ctx: ExpressionContext = context) {
  const compiled = compileExpression(source, { names });
  if (!compiled.ok) throw new Error(`did not compile: ${compiled.error}`);
  return evaluate(compiled.expression, ctx);
}

function value(source: string, ctx: ExpressionContext = context) {
  const result = run(source, ctx);
  if (!result.ok) throw new Error(`did not evaluate: ${result.error}`);
  return result.value;
}

function compileError(source: string, known: ExpressionNames = names) {
  const compiled = compileExpression(source, { names: known });
  return compiled.ok ? 'compiled' : compiled.error;
}

describe('names', () => {
  it('reads inputs, the alert, the cluster and run-level variables', () => {
    expect(value('inputs.namespace')).toBe('shop');
    expect(value('alert.labels.namespace')).toBe('prod');
    expect(value('alert.annotations.summary')).toBe('Pod prod/api-7 is crash looping');
    expect(value('alert.status')).toBe('firing');
    expect(value('alert.startsAt')).toBe('2026-12-06T10:00:00Z');
    expect(value('cluster.name')).toBe('prod-eu');
    expect(value('actions_proposed')).toBe(true);
  });

  it("reads a step's outputs in full and by the seed's shorthand", () => {
    expect(value('steps.diagnose.outputs.pod')).toBe('api-7');
    expect(value('steps.diagnose.pod')).toBe('api-7');
    expect(value('steps.diagnose.outputs')).toEqual({
      pod: 'api-7',
      cause: 'oom',
      restarts: 12,
      containers: ['api', 'proxy'],
    });
  });

  it('resolves hyphenated step names, and the index form', () => {
    expect(value('steps.check-logs.cause')).toBe('oom');
    expect(value('steps.check-logs.outputs.cause')).toBe('oom');
    expect(value("steps['check-logs'].outputs.cause")).toBe('oom');
    expect(value('steps . check-logs . cause')).toBe('oom');
  });

  it('leaves hyphens inside string literals, and a spaced minus, alone', () => {
    expect(value("'steps.check-logs.cause'")).toBe('steps.check-logs.cause');
    expect(value('"a \\" steps.check-logs"')).toBe('a " steps.check-logs');
    expect(value("r'steps.x-y\\d' + '''steps.a-b'''")).toBe('steps.x-y\\dsteps.a-b');
    expect(value('steps.diagnose.restarts - 2')).toBe(10);
  });

  it('refuses an unknown root name at compile time, naming it and its column', () => {
    expect(compileError('labels.namespace')).toBe(
      'column 1: unknown name "labels" (known here: inputs, alert, steps, cluster, actions_proposed)',
    );
    expect(compileError("steps.diagnose.cause == 'oom' && oops")).toBe(
      'column 34: unknown name "oops" (known here: inputs, alert, steps, cluster, actions_proposed)',
    );
  });

  it('refuses alert where the workflow has no alert trigger', () => {
    expect(compileError('alert.labels.pod', { roots: ['inputs'], inputs: [], steps: [] })).toBe(
      'column 1: unknown name "alert" (known here: inputs)',
    );
  });

  it('refuses an undeclared input', () => {
    expect(compileError('inputs.namespce')).toBe(
      'column 1: unknown input "namespce" (declared: namespace, replicas)',
    );
    expect(compileError("inputs['nope']")).toBe(
      'column 8: unknown input "nope" (declared: namespace, replicas)',
    );
  });

  it('refuses a step that is not readable here (later, unknown or not needed)', () => {
    expect(compileError('steps.notify.summary')).toBe(
      'column 1: unknown step "notify" (readable here: diagnose, check-logs)',
    );
    expect(
      compileError('x == steps.check-logs.cause', { roots: ['steps', 'x'], inputs: [], steps: [] }),
    ).toBe('column 6: unknown step "check-logs" (readable here: none)');
  });

  it('refuses two declared steps that read the same once spelled', () => {
    const twins = { roots: ['steps'], inputs: [], steps: ['a-b', 'a__b'] };

    expect(compileError('steps.a-b.x', twins)).toBe(
      'column 1: steps "a-b" and "a__b" read the same in an expression; rename one',
    );
    expect(compileError("steps['a-b'].outputs.x", twins)).toBe('compiled');
  });

  it('leaves fields of the alert and of step outputs to run time, with a clear error', () => {
    expect(run('alert.labels.container')).toEqual({
      ok: false,
      error: 'column 14: no field "container"',
    });
    expect(run('steps.diagnose.node')).toEqual({ ok: false, error: 'column 1: no field "node"' });
  });

  it('says which root the run did not set, never throwing', () => {
    expect(run('alert.labels.pod', { steps: {} })).toEqual({
      ok: false,
      error: 'column 1: "alert" is not set in this run',
    });
  });
});

describe('operators', () => {
  it('compares, combines and chooses', () => {
    expect(value('steps.diagnose.restarts > 10')).toBe(true);
    expect(value('steps.diagnose.restarts <= 10')).toBe(false);
    expect(value("alert.labels.severity != 'info'")).toBe(true);
    expect(value("steps.diagnose.cause == 'oom' && inputs.replicas >= 3")).toBe(true);
    expect(value("steps.diagnose.cause == 'disk' || cluster.name == 'prod-eu'")).toBe(true);
    expect(value('!actions_proposed')).toBe(false);
    expect(value("steps.diagnose.restarts > 5 ? 'many' : 'few'")).toBe('many');
    expect(value("alert.labels.severity in ['critical', 'warning']")).toBe(true);
    expect(value("'proxy' in steps.diagnose.containers")).toBe(true);
    expect(value('steps.check-logs.ratio * 2.0')).toBe(1);
    expect(value('inputs.replicas + 1')).toBe(4);
  });

  it('keeps the types of lists and numbers', () => {
    expect(value('[inputs.replicas, 2]')).toEqual([3, 2]);
    expect(value("{'pod': steps.diagnose.pod}")).toEqual({ pod: 'api-7' });
  });

  it('refuses a type error at compile time where the types are known', () => {
    expect(compileError("'a' * 3")).toBe('column 1: no such overload: string * int');
  });

  it('reports a syntax error with its column', () => {
    expect(compileError("steps.diagnose.cause == 'oom' &&")).toBe(
      'column 33: Unexpected token: EOF',
    );
    expect(compileError('')).toBe('column 1: the expression is empty');
  });

  it('reports a failing operation at run time', () => {
    expect(run('inputs.replicas / 0')).toEqual({ ok: false, error: 'column 1: division by zero' });
  });
});

describe('string and list helpers', () => {
  it("has CEL's own: size, contains, startsWith, endsWith, matches, has", () => {
    expect(value('size(steps.diagnose.containers)')).toBe(2);
    expect(value('alert.labels.pod.size()')).toBe(5);
    expect(value("alert.annotations.summary.contains('crash')")).toBe(true);
    expect(value("alert.labels.pod.startsWith('api-')")).toBe(true);
    expect(value("alert.labels.pod.endsWith('-7')")).toBe(true);
    expect(value("alert.labels.pod.matches('^api-[0-9]+$')")).toBe(true);
    expect(value("alert.labels.pod.matches('^web')")).toBe(false);
    expect(value('has(alert.labels.pod)')).toBe(true);
    expect(value('has(alert.labels.container)')).toBe(false);
    expect(value('has(steps.diagnose.pod)')).toBe(true);
    expect(value('has(steps.check-logs.cause)')).toBe(true);
    expect(value('has(steps.check-logs.node)')).toBe(false);
    expect(value("has(alert.labels.container) ? alert.labels.container : 'unknown'")).toBe(
      'unknown',
    );
  });

  it('has the registered helpers: lower, upper, trim, join', () => {
    expect(value("lower('OOMKilled')")).toBe('oomkilled');
    expect(value("'OOMKilled'.lowerAscii()")).toBe('oomkilled');
    expect(value('upper(alert.labels.severity)')).toBe('CRITICAL');
    expect(value("trim('  api-7 \\n')")).toBe('api-7');
    expect(value("join(steps.diagnose.containers, ', ')")).toBe('api, proxy');
    expect(value("steps.diagnose.containers.join('/')")).toBe('api/proxy');
  });

  it('refuses join over anything but strings, at run time', () => {
    expect(run("join(steps.diagnose.outputs.containers + [1], ',')")).toEqual({
      ok: false,
      error: 'column 1: join: the list holds a non-string',
    });
  });

  it('runs comprehensions, one level deep', () => {
    expect(value("steps.diagnose.containers.exists(c, c == 'proxy')")).toBe(true);
    expect(value("steps.diagnose.containers.filter(c, c.startsWith('a'))")).toEqual(['api']);
    expect(value('steps.diagnose.containers.map(c, upper(c))')).toEqual(['API', 'PROXY']);
  });
});

describe('bounds', () => {
  it('refuses a source longer than the limit', () => {
    const long = `inputs.namespace == '${'x'.repeat(MAX_EXPRESSION_LENGTH)}'`;

    expect(compileError(long)).toBe('column 1: the expression is longer than 2000 characters');
  });

  it('refuses deep nesting and huge literals at compile time', () => {
    expect(compileError(`${'('.repeat(30)}1${')'.repeat(30)}`)).toBe(
      'column 25: Exceeded maxDepth (24)',
    );
    expect(compileError(`${'!'.repeat(600)}true`)).toBe('column 201: Exceeded maxAstNodes (400)');
    expect(compileError(`[${'1,'.repeat(150)}1]`)).toBe(
      'column 202: Exceeded maxListElements (100)',
    );
  });

  it('refuses a comprehension inside another (work that grows with the square of the data)', () => {
    expect(
      compileError('steps.diagnose.containers.all(a, inputs.namespace.exists(b, a == b))'),
    ).toBe('column 34: exists() inside another comprehension is not allowed');
  });

  it('matches in linear time: catastrophic patterns on long input finish at once', () => {
    const hostile = { ...context, alert: { labels: { pod: `${'a'.repeat(100_000)}!` } } };

    const started = performance.now();
    expect(value("alert.labels.pod.matches('(a+)+$')", hostile)).toBe(false);
    expect(value("alert.labels.pod.matches('.*error.*')", hostile)).toBe(false);
    expect(value("alert.labels.pod.matches('(a|aa)*b')", hostile)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses at compile time a literal pattern RE2 cannot run in linear time', () => {
    expect(compileError("alert.labels.pod.matches('(?=api)')")).toBe(
      'column 26: invalid regular expression: (?=api)',
    );
    expect(compileError("alert.labels.pod.matches('(a)\\\\1')")).toBe(
      'column 26: invalid regular expression: (a)\\1',
    );
  });

  it('refuses at run time a bad pattern read from the data', () => {
    const bad = { ...context, alert: { labels: { pod: 'api', re: '(' } } };

    expect(run('alert.labels.pod.matches(alert.labels.re)', bad)).toEqual({
      ok: false,
      error: 'column 1: invalid regular expression: (',
    });
  });

  it('refuses run data too large to evaluate over, instead of working through it', () => {
    const huge = { ...context, alert: { labels: { pod: 'x'.repeat(1_000_001) } } };
    const many = { ...context, inputs: { namespace: Array.from({ length: 100_001 }, () => 1) } };

    expect(run('size(alert.labels.pod)', huge)).toEqual({
      ok: false,
      error: "the run's data is too large for an expression: more than 1000000 characters",
    });
    expect(run('size(inputs.namespace)', many)).toEqual({
      ok: false,
      error: "the run's data is too large for an expression: more than 100000 values",
    });
  });

  it('handles long strings within the bounds quickly', () => {
    const long = { ...context, alert: { labels: { pod: 'y'.repeat(500_000) } } };

    expect(
      value(
        "size(alert.labels.pod + alert.labels.pod) == 1000000 && !alert.labels.pod.contains('error')",
        long,
      ),
    ).toBe(true);
  });
});
