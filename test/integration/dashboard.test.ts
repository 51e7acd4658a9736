import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import type { RunPlace } from '../../src/workflows/run-record.ts';
import { RedisRunStore } from '../../src/workflows/run-store.ts';
import { readYamlWorkflow } from '../../src/workflows/yaml-load.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeApprovalConfig } from '../support/config-file.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { SseClient } from '../support/sse.ts';
import { QUICK_LOOK, workflowsDirWith } from '../support/workflows-dir.ts';

/**
 * The dashboard with sign-in (DASHBOARD_TOKENS): every view needs a session; Pending shows the
 * cards and decides them as the signed-in person, checked like any click; History reads the audit
 * trail; Workflows runs one into a channel and shows the recent runs the person may see.
 */
const sandbox = useSandbox(['oom-crashloop']);
let app: TestApp;
const LEE = 'lee-token-0123456789';
const DANA = 'dana-token-0123456789';

beforeAll(async () => {
  const config = writeApprovalConfig({
    cluster: 'sandbox',
    kubeconfig: sandbox.kubeconfig,
    channel: 'web:ops',
    approvers: ['web:lee'],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: config,
    DASHBOARD_TOKENS: `lee:${LEE},dana:${DANA}`,
    WORKFLOWS_DIR: workflowsDirWith({ 'quick-look.yaml': QUICK_LOOK }),
  });
}, 60_000);

afterAll(() => app.stop());

async function signIn(name: string, token: string): Promise<string> {
  const response = await fetch(`${app.baseUrl}/dashboard/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, token }),
  });
  expect(response.status).toBe(200);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

const get = (path: string, cookie?: string) =>
  fetch(`${app.baseUrl}${path}`, { headers: cookie ? { cookie } : {} });
const post = (path: string, body: unknown, cookie?: string): Promise<Response> =>
  fetch(`${app.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

type Pending = { pending: { id: string; channel: string; card: { headline: string } }[] };

describe('the dashboard', () => {
  it('refuses every view without a session, and a wrong token', async () => {
    const views = await Promise.all(
      [
        '/dashboard/api/me',
        '/dashboard/api/pending',
        '/dashboard/api/history',
        '/dashboard/api/workflow-runs',
        '/dashboard/api/incidents',
      ].map((p) => get(p)),
    );
    const wrong = await post('/dashboard/login', { name: 'lee', token: 'not-lees-token-at-all' });
    const typed = await get('/dashboard/api/me');

    expect(views.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(wrong.status).toBe(401);
    expect(((await typed.json()) as { error: string }).error).toContain('sign in');
    expect((await get('/dashboard')).status).toBe(200);
  });

  it('serves the chart library itself, under the same strict policy as its own pages', async () => {
    const script = await get('/dashboard/vendor/uplot.esm.js');
    const style = await get('/dashboard/vendor/uplot.min.css');
    const source = await script.text();

    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toContain("script-src 'self'");
    // The ES module build, with the library's licence notice kept at its top.
    expect(source).toContain('export { uPlot as default }');
    expect(source.slice(0, 300)).toContain('MIT Licensed');
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await style.text()).toContain('.uplot');
  });

  it('refuses a decision from the console without a session, whatever name is typed', async () => {
    const lee = await signIn('lee', LEE);
    const stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=ops`, {
      cookie: lee,
    });
    try {
      const dana = await signIn('dana', DANA);
      const unsigned = await post('/api/channels/ops/messages', { text: 'status', author: 'dana' });
      expect(unsigned.status).toBe(401);
      await post('/api/channels/ops/messages', { text: 'diagnose -n payments', author: 'x' }, dana);
      const event = await stream.next(
        (e) => e.event === 'message' && e.data.includes('"action":"approve"'),
        20_000,
      );
      const entry = JSON.parse(event.data) as {
        id: string;
        message: { buttons: { value: string }[] };
      };
      const id = entry.message.buttons[0]?.value ?? '';

      const typed = await post('/api/channels/ops/clicks', {
        entry: entry.id,
        button: 0,
        author: 'lee',
      });
      const signedIn = await fetch(`${app.baseUrl}/api/channels/ops/clicks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: lee },
        body: JSON.stringify({ entry: entry.id, button: 1, author: 'anyone' }),
      });

      expect(typed.status).toBe(401);
      expect(((await typed.json()) as { error: string }).error).toContain('sign in');
      expect(signedIn.status).toBe(202);
      const decided = await eventually(async () => {
        const body = (await (await get('/dashboard/api/history?outcome=rejected', lee)).json()) as {
          entries: { proposal: string; approver?: string }[];
        };
        return body.entries.find((e) => e.proposal === id);
      });
      expect(decided.approver).toBe('web:lee');
    } finally {
      await stream.close();
    }
  });

  it('shows a pending card, refuses a non-approver, and decides as the approver signed in', async () => {
    const lee = await signIn('lee', LEE);
    const dana = await signIn('dana', DANA);
    await post('/api/channels/ops/messages', { text: 'diagnose -n payments', author: 'x' }, dana);
    const pending = await eventually(async () => {
      const body = (await (await get('/dashboard/api/pending', lee)).json()) as Pending;
      return body.pending.length > 0 ? body.pending : undefined;
    }, 20_000);
    const card = pending[0];
    expect(card?.channel).toBe('web:ops');
    expect(card?.card.headline).toContain('Approve? set memory limit');

    const refused = await post(`/dashboard/api/proposals/${card?.id}/approve`, {}, dana);
    const approved = await post(`/dashboard/api/proposals/${card?.id}/approve`, {}, lee);

    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain('not an approver');
    expect(approved.status).toBe(202);
    const history = await eventually(async () => {
      const body = (await (await get(`/dashboard/api/history?outcome=executed`, lee)).json()) as {
        entries: { proposal: string; approver?: string }[];
      };
      return body.entries.find((e) => e.proposal === card?.id);
    }, 60_000);
    expect(history.approver).toBe('web:lee');
    const all = (await (await get('/dashboard/api/history?channel=web:ops', lee)).json()) as {
      entries: { event: string; proposal: string }[];
    };
    expect(
      all.entries
        .filter((e) => e.proposal === card?.id)
        .map((e) => e.event)
        .reverse(),
    ).toEqual(['proposed', 'approved', 'executed']);
  }, 90_000);

  it('shows each cluster as a worker last read it', async () => {
    const lee = await signIn('lee', LEE);

    const status = await eventually(async () => {
      const body = (await (await get('/dashboard/api/status', lee)).json()) as {
        clusters: { cluster: string; message?: { headline: string } }[];
      };
      return body.clusters.length > 0 ? body.clusters : undefined;
    });

    expect(status.map((c) => c.cluster)).toEqual(['sandbox']);
    expect(status[0]?.message?.headline).toContain('Cluster sandbox');
  });

  it('lists the workflows and runs one into a channel as the person signed in', async () => {
    const lee = await signIn('lee', LEE);

    const list = (await (await get('/dashboard/api/workflows', lee)).json()) as {
      workflows: { name: string; inputs: string[] }[];
    };
    const run = await post(
      '/dashboard/api/workflows/deploy-app/run',
      { channel: 'web:ops', inputs: { app: 'payments-api' } },
      lee,
    );
    const missing = await post(
      '/dashboard/api/workflows/deploy-app/run',
      { channel: 'web:ops', inputs: {} },
      lee,
    );
    const unbound = await post(
      '/dashboard/api/workflows/deploy-app/run',
      { channel: 'web:elsewhere', inputs: { app: 'x' } },
      lee,
    );

    expect(list.workflows.find((w) => w.name === 'deploy-app')?.inputs).toEqual(['app']);
    expect(run.status).toBe(202);
    expect(missing.status).toBe(409);
    expect(unbound.status).toBe(409);
  });

  it('lists YAML and Markdown workflows with their triggers and files', async () => {
    const lee = await signIn('lee', LEE);

    const body = (await (await get('/dashboard/api/workflows', lee)).json()) as {
      workflows: { name: string; description: string; trigger: string[]; file: string }[];
    };

    const quick = body.workflows.find((w) => w.name === 'quick-look');
    const deploy = body.workflows.find((w) => w.name === 'deploy-app');
    expect(quick).toMatchObject({
      description: 'The cluster at a glance, then a report',
      trigger: ['manual'],
    });
    expect(quick?.file).toMatch(/quick-look\.yaml$/);
    expect(deploy?.trigger).toEqual(['manual']);
    expect(deploy?.file).toMatch(/deploy-app\.md$/);
  });

  it('shows a YAML workflow run from here with each step’s state and line', async () => {
    const lee = await signIn('lee', LEE);

    const started = await post(
      '/dashboard/api/workflows/quick-look/run',
      { channel: 'web:ops', inputs: {} },
      lee,
    );

    expect(started.status).toBe(202);
    const { queued } = (await started.json()) as { queued: string };
    const run = await eventually(async () => {
      const body = (await (await get('/dashboard/api/workflow-runs', lee)).json()) as Runs;
      return body.runs.find((r) => r.runId === queued && r.state === 'succeeded');
    }, 60_000);
    expect(run).toMatchObject({
      workflow: 'quick-look',
      trigger: 'manual',
      channel: 'web:ops',
      cluster: 'sandbox',
    });
    expect(run.finishedAt).toBeDefined();
    expect(run.steps.map((step) => [step.name, step.state])).toEqual([
      ['look', 'succeeded'],
      ['notify', 'succeeded'],
    ]);
    expect(run.steps[0]?.detail).toMatch(/^\d+\/\d+ nodes ready/);
    expect(run.steps[1]?.detail).toMatch(/^look: succeeded — \d+\/\d+ nodes ready/);
    expect(Object.keys(run.steps[0] ?? {}).sort()).toEqual(['detail', 'name', 'state']);
  }, 90_000);

  it('shows a run only to the people who see its channel, or its cluster when it has none', async () => {
    const lee = await signIn('lee', LEE);
    const redis = new Redis(app.redisUrl);
    try {
      const store = new RedisRunStore(redis, app.prefix);
      const loaded = readYamlWorkflow(QUICK_LOOK, 'quick-look.yaml', DEFAULT_AUTONOMY);
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      const record = (runId: string, place: Partial<RunPlace>) => ({
        runId,
        trigger: 'schedule' as const,
        inputs: {},
        place: {
          requester: 'schedule:quick-look',
          cluster: 'sandbox',
          namespaces: ['*'],
          maxTier: 'safe' as const,
          ...place,
        },
        startedAt: new Date().toISOString(),
        workflow: loaded.workflow,
      });
      await store.create(record('quick-look.elsewhere', { channel: 'slack:C0ELSEWHERE' }));
      await store.create(record('quick-look.nowhere', {}));
      await store.create(record('quick-look.other-cluster', { cluster: 'prod' }));

      const body = (await (await get('/dashboard/api/workflow-runs', lee)).json()) as Runs;

      const ids = body.runs.map((r) => r.runId);
      expect(ids).toContain('quick-look.nowhere');
      expect(ids).not.toContain('quick-look.elsewhere');
      expect(ids).not.toContain('quick-look.other-cluster');
      expect(body.runs.find((r) => r.runId === 'quick-look.nowhere')).toMatchObject({
        state: 'running',
        steps: [
          { name: 'look', state: 'pending', detail: '' },
          { name: 'notify', state: 'pending', detail: '' },
        ],
      });
    } finally {
      redis.disconnect();
    }
  });
});

type Runs = {
  runs: {
    runId: string;
    workflow: string;
    trigger: string;
    state: string;
    channel?: string;
    cluster: string;
    finishedAt?: string;
    steps: { name: string; state: string; detail: string }[];
  }[];
};

describe('without sign-in', () => {
  it('serves nobody unless it is the demo, and the demo only this machine, unforwarded', async () => {
    const plain = await startTestApp();
    const demo = await startTestApp({}, 'all', { trustLocalNames: true });
    try {
      const me = (base: string, headers: Record<string, string>) =>
        fetch(`${base}/dashboard/api/me`, { headers });

      const refused = await me(plain.baseUrl, { 'x-coxswain-name': 'sre' });
      const forwarded = await me(demo.baseUrl, {
        'x-coxswain-name': 'sre',
        'x-forwarded-for': '203.0.113.9',
      });
      const nameless = await me(demo.baseUrl, {});
      const local = await me(demo.baseUrl, { 'x-coxswain-name': 'sre' });

      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: string }).error).toContain('DASHBOARD_TOKENS');
      expect(forwarded.status).toBe(403);
      expect(nameless.status).toBe(401);
      expect(await local.json()).toEqual({ person: 'web:sre', signIn: false });
    } finally {
      await plain.stop();
      await demo.stop();
    }
  });

  it('takes decisions as JSON only, so a form on another site cannot post one', async () => {
    const demo = await startTestApp({}, 'all', { trustLocalNames: true });
    try {
      const form = await fetch(`${demo.baseUrl}/dashboard/api/proposals/pabcdefgh/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-coxswain-name': 'sre' },
        body: '',
      });
      const unknown = await fetch(`${demo.baseUrl}/dashboard/api/proposals/x:state/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-coxswain-name': 'sre' },
        body: '{}',
      });

      expect(form.status).toBe(415);
      expect(unknown.status).toBe(404);
    } finally {
      await demo.stop();
    }
  });
});
