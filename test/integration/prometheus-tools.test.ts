import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsTools } from '../../src/agents/tool-use/metrics-tools.ts';
import { freePort } from '../../src/runtime/embedded-redis.ts';
import type { MetricsContext } from '../../src/tools/metrics/context.ts';
import { METRICS_READ_TOOLS } from '../../src/tools/metrics/index.ts';
import { lastHourMetrics } from '../../src/tools/metrics/last-hour.ts';
import { runTool } from '../../src/tools/tool.ts';
import { type Monitoring, startMonitoring, waitFor } from '../support/prometheus.ts';

const RULES = `groups:
  - name: coxswain-test
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: { severity: warning }
        annotations: { summary: "fires from the start" }
      - alert: QuietOne
        expr: vector(1)
        labels: { severity: info }
      - alert: BrokenRule
        expr: up * ignoring(job, instance) up
  - name: cluster-series
    rules:
${series('kube_pod_container_status_restarts_total', 'floor(vector(time()) / 2)', { pod: 'web-1' })}
${series('kube_pod_container_status_restarts_total', 'vector(3)', { pod: 'web-2' })}
${series('kube_pod_container_status_restarts_total', 'floor(vector(time()) / 2)', { namespace: 'other' })}
${series('container_memory_working_set_bytes', 'vector(900 * 1024 * 1024)', { pod: 'web-1' })}
${series('kube_pod_container_resource_limits', 'vector(1024 * 1024 * 1024)', { pod: 'web-1', resource: 'memory' })}
`;

/** A recording rule standing for a kube-state-metrics or cAdvisor series of one container. */
function series(name: string, expr: string, labels: Record<string, string>): string {
  const all = { namespace: 'shop', pod: 'web-1', container: 'app', ...labels };
  const labelled = Object.entries(all).reduce(
    (e, [label, value]) => `label_replace(${e}, "${label}", "${value}", "", "")`,
    expr,
  );
  return `      - record: ${name}\n        expr: '${labelled}'`;
}

let monitoring: Monitoring;
let context: MetricsContext;

function tool(name: string) {
  const found = METRICS_READ_TOOLS.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no tool ${name}`);
  return found;
}

async function run(name: string, input: unknown, ctx: MetricsContext = context) {
  return runTool(tool(name), ctx, input);
}

async function text(name: string, input: unknown): Promise<string> {
  const result = await run(name, input);
  if (!result.ok) throw new Error(result.error);
  return result.text;
}

beforeAll(async () => {
  monitoring = await startMonitoring(RULES);
  context = {
    prometheusUrl: monitoring.prometheusUrl,
    alertmanagerUrl: monitoring.alertmanagerUrl,
  };
  // A silence for QuietOne, made as a person would, before its alert arrives.
  const silence = await fetch(`${monitoring.alertmanagerUrl}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'alertname', value: 'QuietOne', isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'dana',
      comment: 'known noise during the migration',
    }),
  });
  expect(silence.status).toBe(200);
  // Enough self-scrapes for a trend, and both alerts in Alertmanager.
  await waitFor(
    async () => {
      const alerts = await fetch(`${monitoring.alertmanagerUrl}/api/v2/alerts`);
      const count = ((await alerts.json()) as unknown[]).length;
      const up = await fetch(
        `${monitoring.prometheusUrl}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="prometheus"}[1m])')}`,
      );
      const body = (await up.json()) as { data: { result: { value: [number, string] }[] } };
      return count >= 2 && Number(body.data.result[0]?.value[1] ?? 0) >= 5;
    },
    20_000,
    'scrapes and alerts',
  );
}, 30_000);

afterAll(async () => {
  await monitoring?.stop();
});

describe('PromQL on a real Prometheus', () => {
  it('answers an instant query with each series and its value, highest first', async () => {
    const out = await text('promql', { query: 'up' });

    expect(out.split('\n')).toEqual([
      '2 series',
      `up{instance="127.0.0.1:${monitoring.prometheusPort}", job="prometheus"} 1`,
      expect.stringMatching(/^up\{instance="127\.0\.0\.1:\d+", job="gone"\} 0$/),
    ]);
  });

  it('summarises a range query per series and never shows the raw points', async () => {
    const out = await text('promql_range', {
      query: 'prometheus_tsdb_head_samples_appended_total',
      minutes: 1,
      stepSeconds: 1,
      sortBy: 'last',
    });

    expect(out).toMatch(/^last 1 min, step 1 s\n\d+ series, ranked by last\n/);
    expect(out).toMatch(
      /min [\d.e+]+ {2}max [\d.e+]+ {2}avg [\d.e+]+ {2}last [\d.e+]+ {2}change \+[\d.e+]+ \(\+[\d.]+%\) {2}trend rising {2}\(\d+ points\)/,
    );
  });

  it('keeps the top series of a huge result and says how many it left out', async () => {
    const all = await fetch(
      `${monitoring.prometheusUrl}/api/v1/query?query=${encodeURIComponent('count({__name__=~"prometheus_.+"})')}`,
    );
    const total = Number(
      ((await all.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]
        ?.value[1],
    );

    const out = await text('promql', { query: '{__name__=~"prometheus_.+"}', limit: 5 });

    expect(total).toBeGreaterThan(100);
    const lines = out.split('\n');
    expect(lines).toHaveLength(1 + 5 + 1);
    expect(lines[0]).toBe(`${total} series`);
    expect(lines.at(-1)).toBe(`… ${total - 5} more series left out; narrow the query or aggregate`);
  });

  it('redacts a label value that looks like a credential, as any tool output', async () => {
    const out = await text('promql', {
      query:
        'label_replace(vector(1), "header", "Authorization: Bearer s3cr3tT0kenValue1234567890", "", "")',
    });

    expect(out).toMatch(/^1 series\n\{header="Authorization: Bearer .*\} 1$/);
    expect(out).not.toContain('s3cr3tT0kenValue1234567890');
  });

  it("returns Prometheus's own message for a query it refuses, as the model's tool error", async () => {
    const [promql] = metricsTools(['promql'], context);

    const direct = await run('promql', { query: 'sum(rate(up[5m]' });
    const outcome = await promql?.run({ id: 'call-1' }, { query: 'sum(rate(up[5m]', limit: 20 });

    expect(direct).toEqual({
      ok: false,
      error: expect.stringMatching(/^Prometheus refused the request \(bad_data\): .*parse error/),
    });
    expect(outcome).toEqual({ content: expect.stringContaining('parse error'), isError: true });
  });
});

describe('rule and target health', () => {
  it('lists rules with their health, state and the evaluation error of a broken one', async () => {
    const out = await text('alert_rules', { problemsOnly: true });

    expect(out).toContain('coxswain-test/AlwaysFiring (alerting) health=ok firing alerts=1');
    expect(out).toMatch(
      /coxswain-test\/BrokenRule \(alerting\) health=err .*error: .*many-to-many/,
    );
  });

  it('counts the targets that are up and shows why one is down', async () => {
    const out = await text('scrape_targets', { downOnly: true });

    expect(out).toMatch(/^1 of 2 targets up\ngone http:\/\/127\.0\.0\.1:\d+\/metrics health=down /);
    expect(out).toContain('connection refused');
    expect(out).not.toContain('job="prometheus"');
  });
});

describe('Alertmanager reads', () => {
  it('lists active alerts with their state and the silence that suppresses one', async () => {
    const silences = await text('silences', {});
    const id = /^([0-9a-f-]{36}) active/m.exec(silences)?.[1];

    const out = await text('active_alerts', {});
    const onlyActive = await text('active_alerts', { includeSilenced: false });

    expect(id).toBeDefined();
    expect(out.split('\n')[0]).toBe('2 alerts');
    expect(out).toMatch(
      /^active since \S+ \{alertname="AlwaysFiring", severity="warning"\}\n {2}fires from the start$/m,
    );
    expect(out).toMatch(
      new RegExp(
        `^suppressed by ${id} since \\S+ \\{alertname="QuietOne", severity="info"\\}$`,
        'm',
      ),
    );
    expect(onlyActive).toContain('alertname="AlwaysFiring"');
    expect(onlyActive).not.toContain('QuietOne');
  });

  it('filters alerts by label matchers and lists silences with who made them and why', async () => {
    const filtered = await text('active_alerts', { filter: ['severity="warning"'] });
    const silences = await text('silences', { filter: ['alertname="QuietOne"'] });

    expect(filtered.split('\n')[0]).toBe('1 alerts');
    expect(silences).toMatch(
      /^1 silences\n[0-9a-f-]{36} active \{alertname="QuietOne"\} \S+ → \S+ by dana: known noise during the migration$/,
    );
  });

  it("returns Alertmanager's refusal of a bad matcher as a tool error", async () => {
    const result = await run('active_alerts', { filter: ['not a matcher'] });

    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/^Alertmanager refused the request: /),
    });
  });
});

describe('the analyzers with Prometheus', () => {
  it("adds a namespace's restarts and memory against limit over the last hour", async () => {
    const out = await lastHourMetrics(context, 'shop');

    const [restarts, memory] = out.split('\n\n');
    expect(restarts).toMatch(
      /^Restarts in the last hour \(per container\):\n1 series\n\{container="app", pod="web-1"\} [\d.]+$/,
    );
    expect(memory).toMatch(
      /^Memory working set as a share of the memory limit, last hour \(1 = at the limit\):\nlast 60 min, step 18 s\n1 series, ranked by max\n\{container="app", pod="web-1"\}\n {2}min 0\.8789 {2}max 0\.8789 /,
    );
    expect(out).not.toContain('web-2');
  });

  it('says so in its report when Prometheus is down', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;

    const out = await lastHourMetrics(
      { prometheusUrl: closed, alertmanagerUrl: undefined },
      'shop',
    );

    expect(out).toContain(
      'Restarts in the last hour (per container):\nmetrics unavailable: Prometheus cannot be reached (ECONNREFUSED)',
    );
  });
});

describe('when Prometheus or Alertmanager cannot answer', () => {
  let silent: Server;
  let silentUrl: string;

  beforeAll(async () => {
    // Accepts connections and never answers: a server that hangs.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    silentUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('says metrics are unavailable when the server is down', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = { prometheusUrl: closed, alertmanagerUrl: closed };

    const query = await run('promql_range', { query: 'up' }, down);
    const alerts = await run('active_alerts', {}, down);

    expect(query).toEqual({
      ok: false,
      error:
        'metrics unavailable: Prometheus cannot be reached (ECONNREFUSED); answer without metrics and say so',
    });
    expect(alerts).toMatchObject({
      ok: false,
      error: expect.stringContaining('Alertmanager cannot be reached'),
    });
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    const slow = { prometheusUrl: silentUrl, alertmanagerUrl: silentUrl, timeoutMs: 300 };
    const started = Date.now();

    const result = await run('promql', { query: 'up' }, slow);

    expect(result).toEqual({
      ok: false,
      error:
        'metrics unavailable: Prometheus did not answer within 0.3 s; answer without metrics and say so',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('says which setting is missing when no URL is configured', async () => {
    const none = { prometheusUrl: undefined, alertmanagerUrl: undefined };

    const result = await run('silences', {}, none);

    expect(result).toMatchObject({
      ok: false,
      error: expect.stringContaining('ALERTMANAGER_URL is not configured'),
    });
  });
});
