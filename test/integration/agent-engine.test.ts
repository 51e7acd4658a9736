import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareStreamIds } from '../../src/chat/web/entry.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { writeConfigFile } from '../support/config-file.ts';
import {
  MessagesApi,
  type MessagesRequest,
  type ScriptedTurn,
  text,
  toolUse,
} from '../support/messages-api.ts';
import { useSandbox } from '../support/sandbox.ts';
import { SseClient } from '../support/sse.ts';

type Entry = {
  id: string;
  bot: boolean;
  replaces?: string;
  message: { text?: string; headline?: string; footer?: string };
};
type Asked = Entry & { statuses: Entry[] };

/** What a message says: its headline, then its text. */
const said = (entry: Entry) => `${entry.message.headline ?? ''}\n${entry.message.text ?? ''}`;

const sandbox = useSandbox(['oom-crashloop', 'healthy']);
const api = new MessagesApi();
let configFile = '';
let baseUrl = '';

beforeAll(async () => {
  baseUrl = await api.start();
  configFile = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      { channel: 'web:ops', clusters: ['sandbox'], namespaces: ['*'], maxTier: 'confirm' },
    ],
  });
});

afterAll(() => api.stop());

/**
 * A scripted model: the orchestrator delegates to the diagnostician and replies with what it
 * reported; the diagnostician lists the pods, proposes more memory and reports.
 */
function model(request: MessagesRequest): ScriptedTurn {
  const system = JSON.stringify(request.system);
  const turn = request.messages.length;
  if (system.includes("Coxswain's orchestrator")) {
    if (turn === 1) {
      return {
        content: [
          toolUse('d1', 'delegate', {
            tasks: [
              {
                agent: 'k8s-diagnostician',
                task: 'Find why pods in namespace payments crash loop; report cause and evidence.',
                model: 'sonnet',
              },
            ],
          }),
        ],
      };
    }
    const report = JSON.stringify(request.messages.at(-1)?.content);
    const cause = report.includes('OOMKilled')
      ? 'payments-api is OOMKilled (exit code 137) at its 256Mi memory limit.'
      : 'cause unknown';
    return {
      content: [
        toolUse('r1', 'reply', { text: `${cause} A memory increase to 384Mi is proposed.` }),
      ],
    };
  }
  if (turn === 1) return { content: [toolUse('s1', 'list_pods', { namespace: 'payments' })] };
  if (turn === 3) {
    return {
      content: [
        toolUse('s2', 'set_resources', {
          namespace: 'payments',
          name: 'payments-api',
          container: 'api',
          limits: { memory: '384Mi' },
        }),
      ],
    };
  }
  const seen = JSON.stringify(request.messages);
  return {
    content: [
      text(
        seen.includes('OOMKilled (exit 137')
          ? 'Cause: OOMKilled, exit 137, limit 256Mi. Proposed 384Mi.'
          : 'No evidence found.',
      ),
    ],
  };
}

/** Asks in #ops; returns the answer, with the run's status messages seen before it. */
async function askInConsole(app: TestApp, question: string): Promise<Asked> {
  const stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=ops`);
  try {
    const posted = await fetch(`${app.baseUrl}/api/channels/ops/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: question, author: 'dana' }),
    });
    const { id } = (await posted.json()) as { id: string };
    const after = (e: { event: string; id: string | undefined }) =>
      e.event === 'message' && compareStreamIds(e.id ?? '0-0', id) > 0;
    const isAnswer = (entry: Entry) =>
      entry.bot && (entry.message.footer ?? '').startsWith('asked by');
    const reply = await stream.next(
      (e) => after(e) && isAnswer(JSON.parse(e.data) as Entry),
      30_000,
    );
    // The final status edit may land just after the answer.
    await stream.next(
      (e) =>
        after(e) &&
        (JSON.parse(e.data) as Entry).message.text?.startsWith('Answered below') === true,
      10_000,
    );
    const statuses = stream.events
      .filter((e) => after(e))
      .map((e) => JSON.parse(e.data) as Entry)
      // The status edits only: not the answer, nor the proposal cards under it.
      .filter(
        (entry) =>
          entry.bot && !isAnswer(entry) && !(entry.message.headline ?? '').startsWith('Approve?'),
      );
    return { ...(JSON.parse(reply.data) as Entry), statuses };
  } finally {
    await stream.close();
  }
}

describe('a question in the console, through the durable engine', () => {
  it('delegates to the diagnostician as a child job and answers citing the OOM kill', async () => {
    api.respond = model;
    const app = await startTestApp({
      COXSWAIN_CONFIG: configFile,
      ANTHROPIC_API_KEY: 'sk-ant-test-engine-0000',
      ANTHROPIC_BASE_URL: baseUrl,
    });
    try {
      const reply = await askInConsole(app, '@coxswain why is payments crashlooping?');

      expect(said(reply)).toContain('OOMKilled (exit code 137)');
      expect(reply.message.text).toMatch(/Proposals awaiting approval: p[A-Za-z0-9_-]{16}/);
      expect(reply.message.footer).toMatch(
        /^asked by dana · k8s-diagnostician · [1-9]\d* model calls, [\d,]+ tokens, \$\d+\.\d{4}$/,
      );
      const [first, ...edits] = reply.statuses;
      expect(first?.message.text).toBe('Looking into it…');
      expect(edits.map((e) => e.message.text)).toEqual([
        'Asking k8s-diagnostician…',
        'Answered below (asked k8s-diagnostician).',
      ]);
      expect(edits.every((e) => e.replaces === first?.id)).toBe(true);
      const models = api.requests.map((r) => r.body.model);
      expect(models.filter((m) => m === 'claude-opus-5-5')).toHaveLength(2);
      expect(models.filter((m) => m === 'claude-sonnet-5-5')).toHaveLength(3);
      expect(JSON.stringify(api.requests)).not.toContain('Pa55w0rd-prod');
    } finally {
      api.respond = undefined;
      await app.stop();
    }
  });

  it('records usage as metrics, and stops asking the model once the channel spent its daily budget', async () => {
    const tight = writeConfigFile({
      clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
      bindings: [{ channel: 'web:ops', clusters: ['sandbox'] }],
      budgets: { channelDailyCostUsd: 0.001 },
    });
    api.respond = model;
    api.requests.length = 0;
    const app = await startTestApp({
      COXSWAIN_CONFIG: tight,
      ANTHROPIC_API_KEY: 'sk-ant-test-engine-0000',
      ANTHROPIC_BASE_URL: baseUrl,
    });
    try {
      const first = await askInConsole(app, '@coxswain why is payments crashlooping?');
      const calls = api.requests.length;
      const metrics = await fetch(`${app.baseUrl}/metrics`).then((r) => r.text());
      const second = await askInConsole(app, '@coxswain and now?');

      expect(said(first)).toContain('OOMKilled');
      expect(metrics).toContain('coxswain_model_calls_total{agent="k8s-orchestrator"} 2');
      expect(metrics).toContain(
        'coxswain_model_tokens_total{agent="k8s-diagnostician",kind="input"} 300',
      );
      expect(metrics).toContain('coxswain_model_cost_usd_total{agent="k8s-orchestrator"} 0.002');
      expect(said(second)).toContain('This channel has used its model budget for today');
      expect(api.requests).toHaveLength(calls);
      expect(await fetch(`${app.baseUrl}/metrics`).then((r) => r.text())).toContain(
        'coxswain_budget_exhausted_total{agent="k8s-orchestrator",budget="channel_daily"} 1',
      );
    } finally {
      api.respond = undefined;
      await app.stop();
    }
  });

  it('answers the same question from the analyzers when no model is configured', async () => {
    const app = await startTestApp({ COXSWAIN_CONFIG: configFile });
    try {
      const reply = await askInConsole(app, '@coxswain why is payments crashlooping?');

      expect(said(reply)).toContain('killed for running out of memory');
      expect(said(reply)).toContain('OOMKilled, exit code 137');
      expect(said(reply)).toContain('set memory limit 256Mi → 384Mi');
      expect(said(reply)).toContain('no model is configured');
    } finally {
      await app.stop();
    }
  });
});

describe('coxswain ask', () => {
  it('answers in the terminal from the analyzers without a key', async () => {
    const run = runCli(['ask', 'why is payments crashlooping?'], {
      KUBECONFIG: sandbox.kubeconfig,
      ANTHROPIC_API_KEY: '',
      COXSWAIN_CONFIG: '',
    });

    const code = await run.exited;

    expect(code).toBe(0);
    expect(run.stdout()).toContain('OOMKilled, exit code 137');
    expect(run.stdout()).toContain('proposed, awaiting approval; nothing has been changed');
  });

  it('answers through the orchestrator and its specialist with a model', async () => {
    api.respond = model;
    api.requests.length = 0;
    try {
      const run = runCli(['ask', 'why is payments crashlooping?'], {
        KUBECONFIG: sandbox.kubeconfig,
        ANTHROPIC_API_KEY: 'sk-ant-test-cli-0000',
        ANTHROPIC_BASE_URL: baseUrl,
        COXSWAIN_CONFIG: '',
      });
      const code = await run.exited;

      expect(code).toBe(0);
      expect(run.stdout()).toContain('payments-api is OOMKilled (exit code 137)');
      expect(run.stdout()).toContain('+              memory: 384Mi');
      expect(api.requests).toHaveLength(5);
    } finally {
      api.respond = undefined;
    }
  });
});
