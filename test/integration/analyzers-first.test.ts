import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelClient } from '../../src/agents/llm/client.ts';
import { loadAgents, PROMPTS_DIR } from '../../src/agents/registry.ts';
import type { EngineContext } from '../../src/agents/runs/context.ts';
import { answerOffline } from '../../src/agents/runs/offline.ts';
import { runSpecialist } from '../../src/agents/runs/specialist.ts';
import { MemoryCheckpoints } from '../../src/agents/tool-use/checkpoints.ts';
import type { RunState } from '../../src/agents/tool-use/state.ts';
import { AGENT_TOOL_NAMES } from '../../src/agents/tool-use/tool-names.ts';
import { MemoryProposals } from '../../src/approvals/proposal-store.ts';
import { DEFAULT_MODEL_IDS } from '../../src/config/model-ids.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { freePort } from '../../src/runtime/embedded-redis.ts';
import { kubeconfigFor } from '../../src/sandbox/start-sandbox.ts';
import { connect } from '../../src/tools/kubernetes/cluster.ts';
import { diagnosisOutputs } from '../../src/workflows/actions/causes.ts';
import {
  MessagesApi,
  type MessagesRequest,
  type ScriptedTurn,
  text,
  toolUse,
} from '../support/messages-api.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * Analyzers first: a diagnostician's first request to the model already holds the analyzers'
 * findings for the namespace its task names (cause, confidence and cited evidence), redacted;
 * a resumed run reads nothing again; and analyzers that cannot run fail nothing.
 */
const sandbox = useSandbox(['oom-crashloop', 'healthy']);
const api = new MessagesApi();
let baseUrl = '';
/** In the crashed container's start-up log (the scenario's image prints its database URL). */
const LOGGED_SECRET = 'Pa55w0rd-prod';
/** Planted in a BackOff event about a crashing pod, which the analyzers quote as evidence. */
const EVENT_SECRET = 'Hunter2-event-secret';
const TASK = 'Why do the pods in namespace payments crash loop? Report cause and evidence.';

beforeAll(async () => {
  baseUrl = await api.start();
});

afterAll(() => api.stop());

function engine(overrides: Partial<EngineContext> = {}): EngineContext {
  return {
    agents: loadAgents(PROMPTS_DIR, AGENT_TOOL_NAMES),
    client: createModelClient({ apiKey: 'sk-ant-test', baseUrl }, 0),
    models: DEFAULT_MODEL_IDS,
    kube: { cluster: sandbox.cluster, namespaces: ['*'] },
    checkpoints: new MemoryCheckpoints(),
    proposals: new MemoryProposals(),
    autonomy: DEFAULT_AUTONOMY,
    budget: { maxTurns: 10, maxTokens: 1_000_000, maxCostUsd: 10 },
    log: createLogger('silent'),
    maxTier: 'confirm',
    ...overrides,
  };
}

/** A model that reads the previous log of the pod the findings name, then reports. */
function model(request: MessagesRequest): ScriptedTurn {
  const seen = JSON.stringify(request.messages);
  const pod = /payments-api-[a-z0-9]+-[a-z0-9]+/.exec(seen)?.[0] ?? '';
  if (request.messages.length === 1) {
    return {
      content: [toolUse('l1', 'pod_logs', { namespace: 'payments', pod, previous: true })],
    };
  }
  return { content: [text('payments-api is OOMKilled at its 256Mi limit.')] };
}

/** The first user turn's text, whether sent as a string or as blocks (with a cache mark). */
function firstTurn(request: MessagesRequest | undefined): string {
  const content = request?.messages[0]?.content;
  if (typeof content === 'string') return content;
  return ((content ?? []) as { text?: string }[]).map((b) => b.text ?? '').join('');
}

describe('a specialist with Kubernetes read tools', () => {
  it("gets the analyzers' findings, redacted, in its first request to the model", async () => {
    const pods = await sandbox.cluster.core.listNamespacedPod({ namespace: 'payments' });
    const pod = pods.items[0]?.metadata?.name ?? '';
    const log = await sandbox.cluster.core.readNamespacedPodLog({
      namespace: 'payments',
      name: pod,
      container: 'api',
      previous: true,
    });
    await sandbox.cluster.core.createNamespacedEvent({
      namespace: 'payments',
      body: {
        metadata: { name: `${pod}.leak` },
        involvedObject: { kind: 'Pod', namespace: 'payments', name: pod },
        reason: 'BackOff',
        message: `Back-off restarting failed container api: password=${EVENT_SECRET}`,
        type: 'Warning',
        count: 50,
        lastTimestamp: new Date(Date.now() + 60_000),
      },
    });
    api.requests.length = 0;
    api.respond = model;

    const result = await runSpecialist(engine(), {
      runId: 'first-turn',
      agent: 'k8s-diagnostician',
      task: TASK,
    });

    expect(String(log)).toContain(LOGGED_SECRET);
    expect(result.answer).toBe('payments-api is OOMKilled at its 256Mi limit.');
    const first = firstTurn(api.requests[0]?.body);
    expect(first.startsWith(TASK)).toBe(true);
    expect(first).toContain("## What Coxswain's analyzers found in namespace payments");
    expect(first).toContain(
      'Cause: the container uses more memory than its 256Mi memory limit allows, and the kernel kills it',
    );
    expect(first).toContain('Confidence: certain — the last termination reason is OOMKilled');
    expect(first).toMatch(
      /- Pod payments\/\S+ status\.containerStatuses\[api\]\.lastState\.terminated: OOMKilled, exit code 137/,
    );
    // Inside a tag the cluster's text cannot close, as a tool's output is.
    expect(first).toMatch(
      /<(data-[0-9a-f]{12}) source="analyzers">\n[\s\S]*OOMKilled[\s\S]*\n<\/\1>/,
    );
    expect(first).toContain(
      `- event BackOff: Back-off restarting failed container api: password=[redacted] (x50)`,
    );
    expect(api.requests).toHaveLength(2);
    const everything = JSON.stringify(api.requests.map((r) => r.body));
    expect(everything).toContain('pod_logs');
    expect(everything).not.toContain(LOGGED_SECRET);
    expect(everything).not.toContain(EVENT_SECRET);
  });

  it('resumed before its first model answer, reads nothing again and sends the same first turn', async () => {
    const checkpoints = new MemoryCheckpoints();
    let saves = 0;
    const dying = {
      load: (runId: string) => checkpoints.load(runId),
      save: async (runId: string, state: RunState) => {
        await checkpoints.save(runId, state);
        // Dies right after the model's first reply was saved, before its tool call ran.
        if (++saves === 2) throw new Error('worker killed');
      },
    } as unknown as MemoryCheckpoints;
    api.requests.length = 0;
    api.respond = model;
    await expect(
      runSpecialist(engine({ checkpoints: dying }), {
        runId: 'resumed',
        agent: 'k8s-diagnostician',
        task: TASK,
      }),
    ).rejects.toThrow('worker killed');
    sandbox.resetRequests();

    const result = await runSpecialist(engine({ checkpoints }), {
      runId: 'resumed',
      agent: 'k8s-diagnostician',
      task: TASK,
    });

    expect(result.answer).toBe('payments-api is OOMKilled at its 256Mi limit.');
    // Only the tool call the model asked for before the worker died: no analyzer read again.
    expect(sandbox.requests.map((r) => r.path)).toEqual([
      expect.stringMatching(/^\/api\/v1\/namespaces\/payments\/pods\/payments-api-[^/]+\/log$/),
    ]);
    expect(api.requests).toHaveLength(2);
    expect(firstTurn(api.requests[1]?.body)).toBe(firstTurn(api.requests[0]?.body));
    expect(firstTurn(api.requests[0]?.body)).toContain('Confidence: certain');
  });

  it('starts with what it was told when the analyzers cannot reach the API server', async () => {
    const closed = `${sandbox.kubeconfig}.closed`;
    writeFileSync(closed, kubeconfigFor(`http://127.0.0.1:${await freePort()}`));
    const down = connect({ name: 'sandbox', kubeconfig: closed });
    api.requests.length = 0;
    api.respond = () => ({ content: [text('Could not determine the cause: the API is down.')] });

    const result = await runSpecialist(engine({ kube: { cluster: down, namespaces: ['*'] } }), {
      runId: 'api-down',
      agent: 'k8s-diagnostician',
      task: TASK,
    });

    expect(result.answer).toBe('Could not determine the cause: the API is down.');
    expect(firstTurn(api.requests[0]?.body)).toMatch(
      /The analyzers could not run: cannot reach the Kubernetes API server \(ECONNREFUSED\)/,
    );
  });

  it('is not given the findings when it reads no pods or events', async () => {
    api.requests.length = 0;
    api.respond = () => ({ content: [text('No manifest found.')] });
    sandbox.resetRequests();

    await runSpecialist(engine(), {
      runId: 'git',
      agent: 'git-operator',
      task: 'Find the manifest of payments-api in namespace payments.',
    });

    expect(firstTurn(api.requests[0]?.body)).toBe(
      'Find the manifest of payments-api in namespace payments.',
    );
    expect(sandbox.requests).toEqual([]);
  });
});

describe('the answer without a model', () => {
  const offline = () => ({
    kube: { cluster: sandbox.cluster, namespaces: ['*'] },
    proposals: new MemoryProposals(),
    autonomy: DEFAULT_AUTONOMY,
    maxTier: 'confirm' as const,
    log: createLogger('silent'),
  });

  it('leads with the root cause, its confidence and the evidence, then the proposed fix', async () => {
    const answer = await answerOffline(offline(), 'offline-payments', 'why is payments down?');

    const lines = answer.answer.split('\n').filter((line) => line.trim() !== '');
    expect(lines[0]).toMatch(
      /^container api of pod payments-api-\S+ is killed for running out of memory/,
    );
    expect(lines.slice(1, 4)).toEqual([
      'Cause: the container uses more memory than its 256Mi memory limit allows, and the kernel kills it',
      'Confidence: certain — the last termination reason is OOMKilled',
      'Evidence:',
    ]);
    expect(lines[4]).toMatch(
      /^ {4}Pod payments\/\S+ status\.containerStatuses\[api\]\.lastState\.terminated: OOMKilled, exit code 137/,
    );
    expect(answer.answer).toContain(
      'Next steps (proposed, awaiting approval; nothing has been changed):\n- set memory limit 256Mi → 384Mi',
    );
    expect(diagnosisOutputs(answer.findings, answer.namespace)).toMatchObject({
      cause: 'oom',
      summary: lines[0],
      workload: 'payments-api',
      memory_limit: '384Mi',
    });
  });

  it('answers about the namespace of the workload a question names, when it names no namespace', async () => {
    const answer = await answerOffline(
      offline(),
      'offline-workload',
      'what do the logs of payments-api say?',
    );

    expect(answer.namespace).toBe('payments');
    expect(answer.answer.split('\n')[0]).toMatch(/^container api of pod payments-api-/);
  });

  it('says what it checked when it finds nothing', async () => {
    const answer = await answerOffline(offline(), 'offline-shop', 'is shop ok?');

    expect(answer.answer.split('\n').slice(0, 2)).toEqual([
      'No problems found in namespace shop',
      expect.stringMatching(/^Checked 5 pods, \d+ deployments, .*: no analyzer found a problem\.$/),
    ]);
  });
});
