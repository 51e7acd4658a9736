import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineDelegator } from '../../src/agents/runs/inline-delegator.ts';
import { runOrchestrator } from '../../src/agents/runs/orchestrator.ts';
import { inProcessEngine } from '../support/engine.ts';
import {
  crashLoopAlertQuestion,
  crashLoopingPods,
  investigator,
} from '../support/investigator-model.ts';
import { MessagesApi, type RecordedRequest } from '../support/messages-api.ts';
import { breakpointCount } from '../support/prompt-cache.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * The crashloop investigation reads what it sent before from the prompt cache: an alert's
 * investigation (orchestrator and diagnostician with the shipped prompts, against the sandbox's
 * OOM crash loop), then another's while the first one's prefixes are cached. Usage is the local
 * Messages API's estimate, which caches only what the requests mark, as the API does.
 */
const sandbox = useSandbox(['oom-crashloop']);
const api = new MessagesApi();
const investigations: RecordedRequest[][] = [];

beforeAll(async () => {
  api.estimateUsage = true;
  api.respond = investigator('as prompted');
  const engine = inProcessEngine(sandbox.cluster, await api.start());
  const pods = await crashLoopingPods(sandbox.cluster, 'payments');
  for (const [i, pod] of pods.slice(0, 2).entries()) {
    const first = api.requests.length;
    const runId = `cache-${i}`;
    const question = crashLoopAlertQuestion('payments', pod);
    await runOrchestrator(engine, { runId, question }, inlineDelegator(engine, runId));
    investigations.push(api.requests.slice(first));
  }
});

afterAll(() => api.stop());

const total = (r: RecordedRequest) =>
  (r.usage?.input_tokens ?? 0) +
  (r.usage?.cache_read_input_tokens ?? 0) +
  (r.usage?.cache_creation_input_tokens ?? 0);
const read = (r: RecordedRequest) => r.usage?.cache_read_input_tokens ?? 0;

describe('the crashloop investigation and the prompt cache', () => {
  it('marks the tools, the system prompt and the newest message of every call', () => {
    const calls = investigations.flat();

    expect(calls.length).toBeGreaterThanOrEqual(8);
    expect(calls.map((r) => breakpointCount(r.body))).toEqual(calls.map(() => 3));
  });

  it("reads each agent's earlier turns from the cache within one investigation", () => {
    const [orchestrator1, diagnostician1, diagnostician2, orchestrator2] = investigations[0] ?? [];

    expect(read(diagnostician2 as RecordedRequest)).toBe(total(diagnostician1 as RecordedRequest));
    expect(read(orchestrator2 as RecordedRequest)).toBe(total(orchestrator1 as RecordedRequest));
  });

  it('reads three quarters of the next investigation from the cache', () => {
    const next = investigations[1] ?? [];

    const share =
      next.reduce((sum, r) => sum + read(r), 0) / next.reduce((s, r) => s + total(r), 0);

    expect(share).toBeGreaterThanOrEqual(0.75);
  });
});
