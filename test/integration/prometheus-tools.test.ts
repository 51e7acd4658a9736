import { createServer, type Server } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOffline } from '../../src/agents/runs/offline.ts';
import { metricsTools } from '../../src/agents/tool-use/metrics-tools.ts';
import { scopeRefusal } from '../../src/agents/tool-use/refusals.ts';
import { AlertGroups, groupId } from '../../src/alerts/alert-groups.ts';
import { processAlertRun } from '../../src/alerts/alert-run.ts';
import { Incidents } from '../../src/alerts/incidents.ts';
import { type DecideDeps, decide } from '../../src/approvals/decide.ts';
import { executeProposal } from '../../src/approvals/execute-proposal.ts';
import {
  type ProposalRecord,
  ProposalStore,
  proposalId,
} from '../../src/approvals/proposal-store.ts';
import { renderCard } from '../../src/approvals/render-card.ts';
import { offerAlertSilence } from '../../src/approvals/silence-alert.ts';
import { handleButtonClick } from '../../src/bot/button-click.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import { Route } from '../../src/config/file.ts';
import { Binding, DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { SuspendSwitch } from '../../src/policy/suspend.ts';
import type { ActionJob } from '../../src/queue/jobs.ts';
import { freePort } from '../../src/runtime/embedded-redis.ts';
import type { MetricsContext } from '../../src/tools/metrics/context.ts';
import { METRICS_READ_TOOLS } from '../../src/tools/metrics/index.ts';
import { lastHourMetrics } from '../../src/tools/metrics/last-hour.ts';
import { executeSilence, proposeSilence } from '../../src/tools/metrics/silence.ts';
import { silenceCreateTool } from '../../src/tools/metrics/silence-tools.ts';
import { runTool } from '../../src/tools/tool.ts';
import {
  approvedAction,
  approveRecorded,
  executeDeps,
  proposingAs,
} from '../support/approved-change.ts';
import { type Monitoring, startMonitoring, waitFor } from '../support/prometheus.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { useSandbox } from '../support/sandbox.ts';

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
        expr: (${twoSeries('a')}) * on() (${twoSeries('b')})
  - name: cluster-series
    rules:
${series('kube_pod_container_status_restarts_total', 'floor(vector(time()) / 2)', { pod: 'web-1' })}
${series('kube_pod_container_status_restarts_total', 'vector(3)', { pod: 'web-2' })}
${series('kube_pod_container_status_restarts_total', 'floor(vector(time()) / 2)', { namespace: 'other' })}
${series('container_memory_working_set_bytes', 'vector(900 * 1024 * 1024)', { pod: 'web-1' })}
${series('kube_pod_container_resource_limits', 'vector(1024 * 1024 * 1024)', { pod: 'web-1', resource: 'memory' })}
${series('container_memory_working_set_bytes', 'vector(1000 * 1024 * 1024)', { pod: 'web-3' })}
${series('kube_pod_container_resource_limits', 'vector(1024 * 1024 * 1024)', { pod: 'web-3', resource: 'memory' })}
`;

/** Two series told apart by one label: matched on nothing with two more, always many-to-many. */
function twoSeries(label: string): string {
  return `label_replace(vector(1), "${label}", "1", "", "") or label_replace(vector(1), "${label}", "2", "", "")`;
}

/** A recording rule standing for a kube-state-metrics or cAdvisor series of one container. */
function series(name: string, expr: string, labels: Record<string, string>): string {
  const all = { namespace: 'shop', pod: 'web-1', container: 'app', ...labels };
  const labelled = Object.entries(all).reduce(
    (e, [label, value]) => `label_replace(${e}, "${label}", "${value}", "", "")`,
    expr,
  );
  return `      - record: ${name}\n        expr: '${labelled}'`;
}

/** The cluster the offline answer reads; its namespace shop is the one the series above are of. */
const sandbox = useSandbox(['healthy']);
let monitoring: Monitoring;
let context: MetricsContext;
let redis: Redis;
let store: ProposalStore;
const prefix = testPrefix();

/** What a prometheus-analyst run proposes with. */
const proposing = (runId: string) => proposingAs(store, 'prometheus-analyst', runId);

function tool(name: string) {
  const found = METRICS_READ_TOOLS.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no tool ${name}`);
  return found;
}

/** A silence of one alert for an hour, made in Alertmanager as a person would. */
function silenceByHand(alertname: string, createdBy: string, comment: string) {
  return fetch(`${monitoring.alertmanagerUrl}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'alertname', value: alertname, isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy,
      comment,
    }),
  });
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
  redis = new Redis(testRedisUrl());
  store = new ProposalStore(redis, prefix);
  monitoring = await startMonitoring(RULES);
  context = {
    prometheusUrl: monitoring.prometheusUrl,
    alertmanagerUrl: monitoring.alertmanagerUrl,
  };
  // A silence for QuietOne, made as a person would, before its alert arrives.
  const silence = await silenceByHand('QuietOne', 'dana', 'known noise during the migration');
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
  await dropPrefix(testRedisUrl(), prefix);
  redis?.disconnect();
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
    const [promql] = metricsTools(['promql'], context, proposing('run-promql'));

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
  /** The offline answer to `question` (run `runId`) from the sandbox's cluster and this Prometheus. */
  function offlineAnswer(runId: string, question: string) {
    const engine = {
      kube: { cluster: sandbox.cluster, namespaces: ['*'] },
      proposals: store,
      autonomy: DEFAULT_AUTONOMY,
      maxTier: 'confirm' as const,
      log: createLogger('silent'),
      monitoring: context,
    };
    return answerOffline(engine, runId, question);
  }

  it("adds a namespace's restarts and memory against limit over the last hour", async () => {
    const out = await lastHourMetrics(context, 'shop');

    const [restarts, memory] = out.split('\n\n');
    expect(restarts).toMatch(
      /^Restarts in the last hour \(per container\):\n1 series\n\{container="app", pod="web-1"\} \d+$/,
    );
    expect(memory).toMatch(
      /^Memory working set as a share of the memory limit, last hour \(1 = at the limit\):\nlast 60 min, step 18 s\n2 series, ranked by max\n\{container="app", pod="web-3"\}\n {2}min 0\.9766 {2}max 0\.9766 .*\n\{container="app", pod="web-1"\}\n {2}min 0\.8789 {2}max 0\.8789 /,
    );
    expect(out).not.toContain('web-2');
  });

  it("gives the offline answer about a namespace the last hour's restarts and memory against limit", async () => {
    const offline = await offlineAnswer('offline-metrics', 'is shop ok?');

    expect(offline.namespace).toBe('shop');
    expect(offline.specialists.map((s) => s.agent)).toEqual([
      'k8s-diagnostician',
      'prometheus-analyst',
    ]);
    expect(offline.answer).toMatch(
      /\nFrom prometheus-analyst:\nRestarts in the last hour \(per container\):\n1 series\n\{container="app", pod="web-1"\} \d+\n\nMemory working set as a share of the memory limit, last hour \(1 = at the limit\):\n/,
    );
    expect(offline.answer).toMatch(
      /\{container="app", pod="web-1"\}\n {2}min 0\.8789 {2}max 0\.8789 /,
    );
    expect(offline.answer).not.toContain('web-2');
  });

  it('leads the offline answer with a container whose memory came near its limit in the last hour', async () => {
    const offline = await offlineAnswer('offline-near-limit', 'is shop ok?');

    const lines = offline.answer.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'shop/web-3 container app uses 98 % of its memory limit',
      'Cause: its memory working set reached 98 % of its 1Gi memory limit in the last hour (peak 1000Mi, last 1000Mi): a little more and the kernel kills it (OOMKilled)',
      'Confidence: certain — Prometheus measured it: working set over limit above 0.9, the threshold of KubeContainerMemoryNearLimit',
    ]);
    expect(offline.answer).toContain(
      '\nEvidence:\n    Prometheus container_memory_working_set_bytes / kube_pod_container_resource_limits{resource="memory"}, last 60 min: {container="app", pod="web-3"} max 0.9766 last 0.9766\n',
    );
    expect(offline.findings.map((f) => f.rule)).toEqual(['memory-near-limit']);
    // web-1 at 0.8789 of its limit is under the shipped rule's 0.9: no finding of its own.
    expect(lines.slice(0, 12).join('\n')).not.toContain('web-1 container');
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
  let huge: Server;
  let hugeUrl: string;
  /** What the huge server's answer to a query had handed to its socket when the client stopped. */
  let hugeSent = 0;
  const HUGE_BYTES = 64 * 1024 * 1024;

  const listen = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };

  beforeAll(async () => {
    // Accepts connections and never answers: a server that hangs.
    silent = createServer(() => undefined);
    silentUrl = await listen(silent);
    huge = createServer((request, response) => {
      if (request.url?.startsWith('/api/v2/')) {
        // Alertmanager's API saying up front how large its answer is, then sending its start.
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(HUGE_BYTES),
        });
        response.write('[');
        return;
      }
      // Prometheus's API streaming a valid answer of 64 MB, its length unsaid.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"status":"success","data":{"resultType":"vector","result":[');
      const chunk = `{"metric":{"pod":"${'p'.repeat(1_000)}"},"value":[1,"1"]},`.repeat(64);
      hugeSent = 0;
      const pump = () => {
        while (!response.destroyed && hugeSent < HUGE_BYTES) {
          hugeSent += chunk.length;
          if (!response.write(chunk)) return;
        }
        if (!response.destroyed) response.end('{"metric":{},"value":[1,"1"]}]}}');
      };
      response.on('drain', pump);
      pump();
    });
    hugeUrl = await listen(huge);
  });

  afterAll(async () => {
    for (const server of [silent, huge]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses an answer too large to read as a tool error, having read only the start of it', async () => {
    const large = { prometheusUrl: hugeUrl, alertmanagerUrl: hugeUrl };
    const [promql] = metricsTools(['promql'], large, proposing('run-huge'));

    const query = await run('promql', { query: 'up' }, large);
    const alerts = await run('active_alerts', {}, large);
    const outcome = await promql?.run({ id: 'call-huge' }, { query: 'up', limit: 20 });

    expect(query).toEqual({
      ok: false,
      error:
        'result too large: Prometheus answered more than 8 MB, which was not read; narrow the query (fewer series, a shorter range or a longer step) or aggregate it (sum by, topk)',
    });
    expect(alerts).toEqual({
      ok: false,
      error:
        'result too large: Alertmanager answered more than 8 MB, which was not read; narrow the query with a filter of label matchers',
    });
    expect(outcome).toEqual({
      content: expect.stringContaining('result too large: Prometheus answered more than 8 MB'),
      isError: true,
    });
    // Reading stopped near the limit: the server could hand over little more than that.
    expect(hugeSent).toBeLessThan(HUGE_BYTES / 2);
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

describe('silences as proposals on a real Alertmanager', () => {
  const deps = (posted: { jobId: string; data: OutboxJob }[]) => ({
    ...executeDeps(redis, prefix, '/nonexistent/kubeconfig', posted),
    proposals: store,
    monitoring: context,
  });
  const silencesNow = async () =>
    (await (await fetch(`${monitoring.alertmanagerUrl}/api/v2/silences`)).json()) as {
      id: string;
      status: { state: string };
      comment: string;
      createdBy: string;
      matchers: { name: string; value: string }[];
    }[];

  it('proposes a silence with its matchers and duration, creates it once approved, and once only', async () => {
    const tools = metricsTools(['silence_create'], context, proposing('run-silence'));
    const input = {
      matchers: [
        { name: 'alertname', value: 'AlwaysFiring' },
        { name: 'namespace', value: 'shop' },
      ],
      durationMinutes: 120,
      comment: 'rollout in progress',
    };
    const before = await silencesNow();

    const outcome = await tools[0]?.run({ id: 'toolu_s1' }, input);
    const id = proposalId('run-silence', 'toolu_s1');
    const proposed = (await store.record(id)) as ProposalRecord;
    const card = renderCard(proposed, 'confirm');

    expect(outcome?.content).toMatch(
      /^Proposed, not done: silence \{alertname="AlwaysFiring", namespace="shop"\} for 2h/,
    );
    expect(await silencesNow()).toHaveLength(before.length);
    expect(proposed.action.target).toEqual({
      cluster: 'sandbox',
      namespace: 'shop',
      kind: 'Silence',
      name: 'new',
    });
    expect(card.sections?.map((s) => s.title)).toEqual(['Risk', 'Silence']);
    expect(card.sections?.[1]?.code).toBe(
      'matcher   alertname="AlwaysFiring"\nmatcher   namespace="shop"\nduration  2h from approval\ncomment   rollout in progress',
    );
    expect(card.fields?.[0]?.value).toBe('Alertmanager, alerts of cluster sandbox, namespace shop');

    await approveRecorded(store, id);
    // The card as the channel sees it once shown there: asked by the person who asked the run.
    const shown = renderCard((await store.record(id)) as ProposalRecord, 'confirm');
    const posted: { jobId: string; data: OutboxJob }[] = [];
    const done = await executeProposal(id, deps(posted));
    const ours = (await silencesNow()).filter((s) => s.comment.includes(id));

    expect(card.fields?.find((f) => f.label === 'Asked by')?.value).toBe('prometheus-analyst');
    expect(shown.fields?.find((f) => f.label === 'Asked by')?.value).toBe('dana');
    expect(done.state).toBe('succeeded');
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({
      status: { state: 'active' },
      createdBy: 'coxswain (approved by web:sre)',
      matchers: [
        expect.objectContaining({ name: 'alertname', value: 'AlwaysFiring' }),
        expect.objectContaining({ name: 'namespace', value: 'shop' }),
      ],
    });
    expect((await store.record(id))?.result?.verified).toMatch(
      /^Alertmanager shows silence \S+ active/,
    );
  });

  it('takes over a creation whose worker stopped after the write, without a second silence', async () => {
    const action = proposeSilence({
      cluster: 'sandbox',
      matchers: [{ name: 'alertname', value: 'QuietOne', isRegex: false, isEqual: true }],
      durationMinutes: 30,
      comment: 'taken over',
    });
    const id = await approvedAction(store, action, 'run-silence-2', 'toolu_s2');
    // The first worker moved it to executing and created the silence, then died.
    await store.transition(id, ['approved'], 'executing', 'worker', {});
    await executeSilence(context, action, id, 'web:sre', new Date());
    const created = (await silencesNow()).filter((s) => s.comment.includes(id));

    const again = await executeProposal(id, deps([]));

    expect(created).toHaveLength(1);
    expect((await silencesNow()).filter((s) => s.comment.includes(id))).toHaveLength(1);
    expect(again.state).toBe('succeeded');
    expect((await store.record(id))?.result?.summary).toMatch(/^Already in place/);
  });

  it('expires a silence by its id once approved, showing what it silenced', async () => {
    const made = await silenceByHand('BrokenRule', 'lee', 'old noise');
    const { silenceID } = (await made.json()) as { silenceID: string };
    const tools = metricsTools(['silence_expire'], context, proposing('run-expire'));

    const outcome = await tools[0]?.run({ id: 'toolu_e1' }, { id: silenceID, comment: 'fixed' });
    const id = proposalId('run-expire', 'toolu_e1');
    const proposed = (await store.record(id)) as ProposalRecord;
    await approveRecorded(store, id);
    const done = await executeProposal(id, deps([]));

    expect(outcome?.isError).toBe(false);
    expect(proposed.action.summary).toBe(`expire silence ${silenceID} {alertname="BrokenRule"}`);
    expect(proposed.action.diff).toContain('created   by lee: old noise');
    expect(done.state).toBe('succeeded');
    expect((await silencesNow()).find((s) => s.id === silenceID)?.status.state).toBe('expired');
    const missing = await tools[0]?.run({ id: 'toolu_e2' }, { id: 'no-such-silence' });
    expect(missing).toEqual({
      content: 'silence_expire could not be proposed: Alertmanager has no silence no-such-silence',
      isError: true,
    });
  });

  it('refuses a silence that matches every alert, and one without a namespace in a namespace-limited channel', async () => {
    const tools = metricsTools(['silence_create'], context, proposing('run-wide'));
    const everything = await tools[0]?.run(
      { id: 'toolu_w1' },
      { matchers: [{ name: 'alertname', value: '.*', regex: true }], comment: 'all' },
    );
    const limited = { cluster: 'sandbox', namespaces: ['shop'] };
    const noNamespace = silenceCreateTool.input.parse({
      matchers: [{ name: 'alertname', value: 'AlwaysFiring' }],
      comment: 'x',
    });
    const inShop = silenceCreateTool.input.parse({
      matchers: [
        { name: 'alertname', value: 'AlwaysFiring' },
        { name: 'namespace', value: 'shop' },
      ],
      comment: 'x',
    });

    expect(everything).toEqual({
      content:
        'silence_create could not be proposed: these matchers would silence every alert; name the alert (alertname="…") or its labels',
      isError: true,
    });
    expect(scopeRefusal('silence_create', silenceCreateTool.scope(noNamespace), limited)).toBe(
      'a silence without a namespace="…" matcher reaches alerts of every namespace; this channel may see shop',
    );
    expect(
      scopeRefusal('silence_create', silenceCreateTool.scope(inShop), limited),
    ).toBeUndefined();
    expect(scopeRefusal('promql', tool('promql').scope({ query: 'up', limit: 20 }), limited)).toBe(
      'Prometheus and Alertmanager hold series and alerts from every namespace; this channel may see shop',
    );
  });
});

describe("the alert message's Silence 2h button", () => {
  const payload = (labels: Record<string, string>, groupKey: string) => ({
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: 'firing' as const,
    receiver: 'coxswain',
    groupLabels: labels,
    commonLabels: { ...labels, severity: 'warning' },
    commonAnnotations: {},
    externalURL: monitoring.alertmanagerUrl,
    alerts: [
      {
        status: 'firing' as const,
        labels: { ...labels, severity: 'warning' },
        annotations: {},
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: groupKey.replace(/\W/g, '').slice(0, 16),
      },
    ],
  });
  const bindings = [
    Binding.parse({
      channel: 'slack:C0OPS',
      clusters: ['sandbox'],
      maxTier: 'confirm',
      approvers: ['slack:U0LEAD'],
    }),
    Binding.parse({
      channel: 'slack:C0SHOP',
      clusters: ['sandbox'],
      namespaces: ['shop'],
      maxTier: 'confirm',
      approvers: ['slack:U0LEAD'],
    }),
  ];

  /** An alert for `labels` through the alert run (job `jobId`), its message routed to slack:C0OPS. */
  function alertRun(
    labels: Record<string, string>,
    groupKey: string,
    jobId: string,
    deps: {
      outbox: Parameters<typeof processAlertRun>[2]['outbox'];
      groups: AlertGroups;
      alertmanager: boolean;
    },
  ) {
    return processAlertRun(
      { kind: 'alert', payload: payload(labels, groupKey), receivedAt: new Date().toISOString() },
      jobId,
      {
        outbox: deps.outbox,
        routes: [Route.parse({ channels: ['slack:C0OPS'] })],
        clusters: [],
        groups: deps.groups,
        incidents: new Incidents(redis, prefix),
        bindings,
        autonomy: DEFAULT_AUTONOMY,
        alertmanager: deps.alertmanager,
        now: () => new Date(),
      },
    );
  }

  it('proposes a silence of the group as a card in its thread, which an approver approves into Alertmanager', async () => {
    const posted: { name: string; jobId: string; data: OutboxJob }[] = [];
    const outbox = {
      add: async (name: string, data: OutboxJob, options: { jobId: string }) => {
        posted.push({ name, jobId: options.jobId, data });
      },
    };
    const groups = new AlertGroups(redis, prefix);
    const labels = { alertname: 'AlwaysFiring', namespace: 'shop' };
    const run = await alertRun(
      labels,
      '{}:{alertname="AlwaysFiring", namespace="shop"}',
      'run-job-1',
      {
        outbox,
        groups,
        alertmanager: true,
      },
    );
    const message = posted.find((p) => p.name === 'alert')?.data.message;
    const button = message?.buttons?.find((b) => b.label === 'Silence 2h');
    expect(button).toEqual({
      action: 'silence',
      label: 'Silence 2h',
      value: run.group,
      style: 'default',
    });

    const queue = new Queue<ActionJob>('actions', { connection: { url: testRedisUrl() }, prefix });
    const decideDeps: DecideDeps = {
      proposals: store,
      actions: queue,
      outbox,
      bindings,
      autonomy: DEFAULT_AUTONOMY,
      dashboardUrl: undefined,
      people: [],
      suspension: new SuspendSwitch(redis, prefix),
      log: createLogger('silent'),
    };
    const click = (requester: string, clickId: string, channel = 'slack:C0OPS') => ({
      channel,
      requester,
      action: 'silence',
      value: button?.value ?? '',
      clickId,
    });
    const first = await handleButtonClick(click('slack:U0ASK', 'k1'), {
      runs: undefined as never,
      bindings,
      clusters: ['sandbox'],
      workflows: { markdown: [], yaml: [] } as never,
      silence: (c) => offerAlertSilence(c, { ...decideDeps, groups, alertmanager: true }),
    });
    const second = await offerAlertSilence(click('slack:U0OTHER', 'k2'), {
      ...decideDeps,
      groups,
      alertmanager: true,
    });
    const id = /\(proposal (\S+)\)/.exec(
      first.kind === 'reply' ? (first.message.text ?? '') : '',
    )?.[1] as string;
    expect((await store.record(id))?.action.type).toBe('silence-create');
    const card = posted.find((p) => p.name === 'card')?.data;

    expect(first).toMatchObject({
      kind: 'reply',
      message: {
        headline: 'Proposed: silence {alertname="AlwaysFiring", namespace="shop"} for 2h',
      },
    });
    expect(second).toMatchObject({
      message: {
        headline: 'A silence of this alert is already waiting',
        text: expect.stringContaining(id),
      },
    });
    expect(card).toMatchObject({ channel: 'slack:C0OPS', threadKey: `alert.${run.group}` });
    expect(card?.message.buttons?.map((b) => b.action)).toEqual(['approve', 'reject']);
    expect(card?.message.fields?.find((f) => f.label === 'Asked by')?.value).toBe('U0ASK');
    expect(card?.message.sections?.find((s) => s.title === 'Silence')?.code).toContain(
      'duration  2h from approval',
    );

    // The clicker asked for it, so only another approver decides; then the worker executes it.
    const selfApproval = await decide(
      { ...click('slack:U0ASK', 'k3'), action: 'approve', value: id },
      'approve',
      decideDeps,
    );
    const approval = await decide(
      { ...click('slack:U0LEAD', 'k4'), action: 'approve', value: id },
      'approve',
      decideDeps,
    );
    const done = await executeProposal(id, {
      ...executeDeps(redis, prefix, '/nonexistent/kubeconfig', []),
      bindings,
      proposals: store,
      monitoring: context,
    });
    await queue.close();

    expect(selfApproval).toMatchObject({ kind: 'reply', message: { tone: 'warning' } });
    expect(approval).not.toMatchObject({ message: { tone: 'warning' } });
    expect(done.state).toBe('succeeded');
    const made = (await (await fetch(`${monitoring.alertmanagerUrl}/api/v2/silences`)).json()) as {
      comment: string;
      endsAt: string;
      startsAt: string;
      status: { state: string };
    }[];
    const ours = made.filter((s) => s.comment.includes(id));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.status.state).toBe('active');
    // Two hours from the approval (Alertmanager moves a start in the past to its own clock).
    const lasts = Date.parse(ours[0]?.endsAt ?? '') - Date.parse(ours[0]?.startsAt ?? '');
    expect(lasts).toBeGreaterThan(7_190_000);
    expect(lasts).toBeLessThanOrEqual(7_200_000);
  });

  it('is not offered without an Alertmanager to make it in, and a click on an older message says so', async () => {
    const posted: { name: string; data: OutboxJob }[] = [];
    const outbox = {
      add: async (name: string, data: OutboxJob) => {
        posted.push({ name, data });
      },
    };
    const groups = new AlertGroups(redis, prefix);
    const labels = { alertname: 'AlwaysFiring', namespace: 'checkout' };
    const run = await alertRun(
      labels,
      '{}:{alertname="AlwaysFiring", namespace="checkout"}',
      'run-job-2',
      {
        outbox,
        groups,
        alertmanager: false,
      },
    );
    const message = posted.find((p) => p.name === 'alert')?.data.message;
    const pendingBefore = await store.pending();

    const clicked = await offerAlertSilence(
      {
        channel: 'slack:C0OPS',
        requester: 'slack:U0ASK',
        action: 'silence',
        value: run.group,
        clickId: 'n1',
      },
      {
        proposals: store,
        groups,
        outbox,
        bindings,
        autonomy: DEFAULT_AUTONOMY,
        dashboardUrl: undefined,
        alertmanager: false,
      },
    );

    expect(message?.headline).toBe('Firing: AlwaysFiring');
    expect(message?.buttons ?? []).toEqual([]);
    expect(await groups.silenceLabels(run.group)).toEqual(labels);
    expect(clicked).toEqual({
      kind: 'reply',
      message: {
        headline: 'Silences cannot be made from here',
        text: 'No Alertmanager is configured (ALERTMANAGER_URL is unset), so an approved silence could not be made: silence this alert in Alertmanager itself.',
        tone: 'warning',
      },
    });
    expect(posted.filter((p) => p.name === 'card')).toEqual([]);
    expect(await store.pending()).toEqual(pendingBefore);
  });

  it('is refused where the channel may not reach what the silence would hide', async () => {
    const groups = new AlertGroups(redis, prefix);
    const wide = { alertname: 'NodeDown' };
    const id = groupId('{}:{alertname="NodeDown"}');
    await groups.keepSilenceLabels(id, wide);
    const deps = {
      proposals: store,
      groups,
      outbox: { add: async () => undefined },
      bindings,
      autonomy: DEFAULT_AUTONOMY,
      dashboardUrl: undefined,
      alertmanager: true,
    };

    const limited = await offerAlertSilence(
      {
        channel: 'slack:C0SHOP',
        requester: 'slack:U1',
        action: 'silence',
        value: id,
        clickId: 'z1',
      },
      deps,
    );
    const unbound = await offerAlertSilence(
      {
        channel: 'slack:C0NONE',
        requester: 'slack:U1',
        action: 'silence',
        value: id,
        clickId: 'z2',
      },
      deps,
    );
    const forgotten = await offerAlertSilence(
      {
        channel: 'slack:C0OPS',
        requester: 'slack:U1',
        action: 'silence',
        value: 'f'.repeat(24),
        clickId: 'z3',
      },
      deps,
    );

    expect(limited).toMatchObject({
      message: {
        headline: 'This alert cannot be silenced from here',
        text: 'this channel is not bound to namespace *',
      },
    });
    expect(unbound).toMatchObject({
      message: { headline: 'Cannot tell which cluster this alert is about' },
    });
    expect(forgotten).toMatchObject({
      message: { headline: 'This alert group is no longer kept' },
    });
  });
});
