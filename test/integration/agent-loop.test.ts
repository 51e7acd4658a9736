import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createModelClient } from '../../src/agents/llm/client.ts';
import { loadAgents, PROMPTS_DIR } from '../../src/agents/registry.ts';
import { Checkpoints, LostLockError } from '../../src/agents/tool-use/checkpoints.ts';
import { kubeTools } from '../../src/agents/tool-use/kube-tools.ts';
import { type AgentRun, runAgent } from '../../src/agents/tool-use/run-agent.ts';
import { newRunState, type RunState } from '../../src/agents/tool-use/state.ts';
import { AGENT_TOOL_NAMES } from '../../src/agents/tool-use/tool-names.ts';
import { ProposalStore, proposalId } from '../../src/approvals/proposal-store.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { MessagesApi, text, toolUse } from '../support/messages-api.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { useSandbox } from '../support/sandbox.ts';

const sandbox = useSandbox(['oom-crashloop']);
const api = new MessagesApi();
const agents = loadAgents(PROMPTS_DIR, AGENT_TOOL_NAMES);
const diagnostician = agents.get('k8s-diagnostician');
let baseUrl = '';
let redis: Redis;
let prefix = '';

beforeAll(async () => {
  baseUrl = await api.start();
  redis = new Redis(testRedisUrl());
});

afterAll(async () => {
  await api.stop();
  await dropPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

beforeEach(() => {
  api.requests.length = 0;
  prefix = testPrefix();
});

/** A diagnostician run against the sandbox and the local Messages API. */
function agentRun(runId: string, overrides: Partial<AgentRun> = {}): AgentRun {
  const checkpoints = new Checkpoints(redis, prefix);
  return {
    client: createModelClient({ apiKey: 'sk-ant-test-0000000000', baseUrl }, 2),
    model: 'claude-sonnet-5-5',
    tier: 'sonnet',
    system: diagnostician?.prompt ?? '',
    tools: kubeTools(diagnostician?.tools ?? [], {
      context: { cluster: sandbox.cluster },
      runId,
      agent: 'k8s-diagnostician',
      autonomy: DEFAULT_AUTONOMY,
      maxTier: 'confirm',
      proposals: new ProposalStore(redis, prefix),
    }),
    scope: { cluster: sandbox.cluster.name },
    budget: { maxTurns: 10, maxTokens: 100_000, maxCostUsd: 1 },
    checkpoint: (state) => checkpoints.save(runId, state),
    log: createLogger('silent'),
    ...overrides,
  };
}

async function firstPaymentsPod(): Promise<string> {
  const pods = await sandbox.cluster.core.listNamespacedPod({ namespace: 'payments' });
  return pods.items[0]?.metadata?.name ?? '';
}

type ToolResult = { type: string; tool_use_id: string; content: string; is_error?: boolean };
const resultsIn = (request: { body: { messages: { content: unknown }[] } }): ToolResult[] =>
  request.body.messages
    .flatMap((m) => (Array.isArray(m.content) ? (m.content as ToolResult[]) : []))
    .filter((b) => b.type === 'tool_result');

describe('checkpoints and proposals under a job lock', () => {
  it('refuse to write for a worker whose lock another worker has taken', async () => {
    const lock = { key: `${prefix}:runs:job-1:lock`, token: 'worker-a' };
    const checkpoints = new Checkpoints(redis, prefix).withLock(lock);
    const proposals = new ProposalStore(redis, prefix).withLock(lock);
    const state = newRunState('Why?');
    await redis.set(lock.key, 'worker-a');

    await checkpoints.save('run-lock', state);
    await redis.set(lock.key, 'worker-b');

    await expect(checkpoints.save('run-lock', state)).rejects.toBeInstanceOf(LostLockError);
    await expect(
      proposals.create({
        id: 'p1',
        runId: 'run-lock',
        agent: 'a',
        action: {} as never,
        state: 'pending',
        createdAt: new Date().toISOString(),
      }),
    ).rejects.toThrow('lost the lock on run run-lock');
    expect(await new Checkpoints(redis, prefix).load('run-lock')).toEqual(state);
    expect(await redis.exists(`${prefix}:proposal:p1`)).toBe(0);
  });
});

describe('the tool-use loop', () => {
  it('reads the cluster, proposes a fix, and answers citing the evidence', async () => {
    const pod = await firstPaymentsPod();
    api.script(
      {
        content: [
          text('Looking at the pods.'),
          toolUse('call-1', 'list_pods', { namespace: 'payments' }),
        ],
      },
      {
        content: [
          toolUse('call-2', 'pod_logs', { namespace: 'payments', pod, previous: true, tail: 20 }),
        ],
      },
      {
        content: [
          toolUse('call-3', 'set_resources', {
            namespace: 'payments',
            name: 'payments-api',
            container: 'api',
            limits: { memory: '384Mi' },
          }),
        ],
      },
      {
        content: [
          text('payments-api is OOMKilled (exit code 137) at its 256Mi limit; I proposed 384Mi.'),
        ],
      },
    );

    const state = await runAgent(agentRun('run-a'), newRunState('Why is payments crashlooping?'));

    expect(state.answer).toContain('OOMKilled (exit code 137)');
    expect(state.usage.calls).toBe(4);
    expect(state.usage.input).toBe(400);
    const [first, second, third, last] = api.requests;
    expect(first?.body.system).toEqual([
      expect.objectContaining({ cache_control: { type: 'ephemeral' } }),
    ]);
    expect(first?.body.tools?.map((t) => t.name)).toEqual(diagnostician?.tools);
    expect(first?.body.tools?.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    expect(first?.body.tools?.slice(0, -1).some((t) => t.cache_control !== undefined)).toBe(false);
    expect(resultsIn(second as never)[0]?.content).toMatch(
      /^<data-[0-9a-f]{12} source="list_pods">[\s\S]*OOMKilled \(exit 137/,
    );
    const logs = resultsIn(third as never)[1]?.content ?? '';
    expect(logs).toContain('cache growing');
    expect(JSON.stringify(api.requests)).not.toContain('Pa55w0rd-prod');
    const proposed = resultsIn(last as never)[2]?.content ?? '';
    expect(proposed).toMatch(
      /^<data-[0-9a-f]{12} source="set_resources">\nProposed, not done: set memory limit 256Mi → 384Mi/,
    );
    expect(await new ProposalStore(redis, prefix).ofRun('run-a')).toEqual([
      proposalId('run-a', 'call-3'),
    ]);
    expect(api.requests[0]?.headers.authorization).toBe('Bearer sk-ant-test-0000000000');
  });

  it('marks the newest message for the prompt cache, and only that one', async () => {
    api.script({ content: [toolUse('c1', 'nodes', {})] }, { content: [text('Nodes are fine.')] });

    await runAgent(agentRun('run-cache'), newRunState('How are the nodes?'));

    const [first, second] = api.requests.map((r) => JSON.stringify(r.body.messages));
    expect(first).toMatch(/"text":"How are the nodes\?","cache_control":\{"type":"ephemeral"\}/);
    expect(second?.match(/cache_control/g)).toHaveLength(1);
    expect(second).toMatch(
      /"tool_result"[^}]*[\s\S]*"cache_control":\{"type":"ephemeral"\}\}\]\}\]$/,
    );
  });

  it('runs no tool call from a reply cut off at the output limit, and asks again', async () => {
    api.script(
      {
        content: [text('Checking'), toolUse('cut', 'list_pods', { namespace: 'paym' })],
        stopReason: 'max_tokens',
      },
      { content: [text('Pods are fine.')] },
    );
    sandbox.resetRequests();

    const state = await runAgent(agentRun('run-cut'), newRunState('Pods?'));

    expect(state.answer).toBe('Pods are fine.');
    expect(sandbox.requests).toEqual([]);
    expect(JSON.stringify(api.requests[1]?.body.messages)).toContain(
      'Your reply was cut off at the output limit',
    );
  });

  it("refuses a proposal above the channel's tier, or forbidden for its kind", async () => {
    api.script(
      {
        content: [
          toolUse('w1', 'set_resources', {
            namespace: 'payments',
            name: 'payments-api',
            container: 'api',
            limits: { memory: '384Mi' },
          }),
        ],
      },
      { content: [text('Could not propose.')] },
    );
    const safeOnly = agentRun('run-safe');
    safeOnly.tools = kubeTools(diagnostician?.tools ?? [], {
      context: { cluster: sandbox.cluster },
      runId: 'run-safe',
      agent: 'k8s-diagnostician',
      proposals: new ProposalStore(redis, prefix),
      autonomy: DEFAULT_AUTONOMY,
      maxTier: 'safe',
    });

    await runAgent(safeOnly, newRunState('Fix payments'));

    const [result] = resultsIn(api.requests[1] as never);
    expect(result?.is_error).toBe(true);
    expect(result?.content).toContain('this channel may only run safe (read-only) actions');
    expect(await new ProposalStore(redis, prefix).ofRun('run-safe')).toEqual([]);
  });

  it("refuses a call outside the run's namespaces from the tool's scope, before it runs", async () => {
    api.script(
      {
        content: [
          toolUse('s1', 'list_pods', { namespace: 'kube-system' }),
          toolUse('s2', 'list_pods', {}),
          toolUse('s3', 'describe', { kind: 'node', name: 'node-1' }),
          toolUse('s4', 'nodes', {}),
        ],
      },
      { content: [text('I may only look at payments.')] },
    );
    const bound = agentRun('run-scope', {
      scope: { cluster: sandbox.cluster.name, namespaces: ['payments'] },
    });
    sandbox.resetRequests();

    await runAgent(bound, newRunState('What runs in kube-system?'));

    const results = resultsIn(api.requests[1] as never);
    expect(results.map((r) => r.is_error ?? false)).toEqual([true, true, true, false]);
    expect(results[0]?.content).toContain(
      'namespace kube-system is outside what this channel may see (payments)',
    );
    expect(results[1]?.content).toContain(
      'list_pods needs a namespace here: this channel may see payments',
    );
    expect(results[2]?.content).toContain(
      'describing a node shows pods of every namespace; this channel may see payments',
    );
    expect(sandbox.requests.filter((r) => r.path.includes('kube-system'))).toEqual([]);
  });

  it('sends a failing tool call back as an error result naming the field', async () => {
    api.script(
      { content: [toolUse('call-1', 'list_pods', { namespace: 'Not A Namespace' })] },
      { content: [toolUse('call-2', 'kubectl_exec', {})] },
      { content: [text('I could not list the pods.')] },
    );

    await runAgent(agentRun('run-b'), newRunState('List pods'));

    const [bad] = resultsIn(api.requests[1] as never);
    const [missing] = resultsIn(api.requests[2] as never).slice(1);
    expect(bad).toMatchObject({
      is_error: true,
      content: expect.stringContaining('invalid input for list_pods: namespace'),
    });
    expect(missing).toMatchObject({
      is_error: true,
      content: 'there is no tool named kubectl_exec',
    });
  });

  it('rides out 429 and 529 with back-off and loses nothing', async () => {
    api.script(
      { status: 429, retryAfterSeconds: 0 },
      { status: 529, retryAfterSeconds: 0 },
      { content: [text('All well.')] },
    );

    const state = await runAgent(agentRun('run-c'), newRunState('Anything wrong?'));

    expect(state.answer).toBe('All well.');
    expect(api.requests).toHaveLength(3);
  });

  it('stops at the turn budget with a clear message', async () => {
    api.respond = () => ({ content: [toolUse(`call-${api.requests.length}`, 'nodes', {})] });
    try {
      const state = await runAgent(
        agentRun('run-d', { budget: { maxTurns: 2, maxTokens: 1e6, maxCostUsd: 10 } }),
        newRunState('Loop'),
      );

      expect(state.stopped).toBe('turns');
      expect(state.answer).toBe(
        "I stopped after 2 model turns, this run's limit, before reaching an answer.",
      );
      expect(api.requests).toHaveLength(2);
    } finally {
      api.respond = undefined;
    }
  });

  it('resumes from its checkpoint after a crash without repeating a finished tool call or proposal', async () => {
    api.script(
      {
        content: [
          toolUse('call-1', 'list_pods', { namespace: 'payments' }),
          toolUse('call-2', 'set_resources', {
            namespace: 'payments',
            name: 'payments-api',
            container: 'api',
            limits: { memory: '384Mi' },
          }),
        ],
      },
      { content: [text('Proposed 384Mi.')] },
    );
    const checkpoints = new Checkpoints(redis, prefix);
    let saves = 0;
    const crashing = agentRun('run-e', {
      checkpoint: async (state: RunState) => {
        await checkpoints.save('run-e', state);
        // Dies right after the proposal's result was saved, before the batch went to the model.
        if (++saves === 3) throw new Error('worker killed');
      },
    });
    sandbox.resetRequests();

    await expect(runAgent(crashing, newRunState('Fix payments'))).rejects.toThrow('worker killed');
    const saved = (await checkpoints.load('run-e')) as RunState;
    const state = await runAgent(agentRun('run-e'), saved);

    expect(state.answer).toBe('Proposed 384Mi.');
    expect(
      sandbox.requests.filter(
        (r) => r.method === 'GET' && r.path === '/api/v1/namespaces/payments/pods',
      ),
    ).toHaveLength(1);
    expect(sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(await new ProposalStore(redis, prefix).ofRun('run-e')).toHaveLength(1);
    expect(api.requests).toHaveLength(2);
  });
});
