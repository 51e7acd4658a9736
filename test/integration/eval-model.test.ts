import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModelScenario } from '../eval/support/run-model.ts';
import { loadScenario, SCENARIOS_DIR } from '../eval/support/scenario.ts';
import {
  MessagesApi,
  type MessagesRequest,
  type ScriptedTurn,
  text,
  toolUse,
} from '../support/messages-api.ts';

/**
 * The eval's model path end to end without a key: the agents run against the local Messages
 * API, whose scripted model delegates to the diagnostician, which lists the pods, reads the
 * crashed one's previous log and reports its last line; the answer is judged by the rubric
 * and the model judge, with the tokens and cost of each scenario.
 */
const api = new MessagesApi();
let baseUrl = '';
const dir = mkdtempSync(join(tmpdir(), 'eval-model-'));

beforeAll(async () => {
  baseUrl = await api.start();
  api.estimateUsage = true;
  api.respond = model;
});

afterAll(() => api.stop());

function toolResults(request: MessagesRequest): string[] {
  return request.messages.flatMap((m) =>
    Array.isArray(m.content)
      ? (m.content as { type: string; content?: unknown }[])
          .filter((c) => c.type === 'tool_result')
          .map((c) =>
            typeof c.content === 'string'
              ? c.content
              : ((c.content as { text?: string }[] | undefined) ?? [])
                  .map((b) => b.text ?? '')
                  .join('\n'),
          )
      : [],
  );
}

/** What a tool returned, without the data fence the engine puts around it. */
function inside(result: string): string[] {
  const fenced = /<data-[0-9a-f]+[^>]*>\n([\s\S]*?)\n<\/data-/.exec(result)?.[1] ?? result;
  return fenced.split('\n').filter((l) => l.trim() !== '');
}

const POD =
  /\b[a-z0-9]+(?:-[a-z0-9]+)*-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}\b/;

function model(request: MessagesRequest): ScriptedTurn {
  const tools = (request.tools ?? []).map((t) => t.name);
  const results = toolResults(request);
  const task = JSON.stringify(request.messages[0]?.content);
  const namespace = /namespace ([a-z0-9-]+)/.exec(task)?.[1] ?? 'default';
  if (tools.length === 0) return { content: [text('PASS: names the cause and the pod')] };
  if (tools.includes('delegate')) {
    if (results.length === 0)
      return {
        content: [
          toolUse('d1', 'delegate', {
            tasks: [
              {
                agent: 'k8s-diagnostician',
                task: `Find what is wrong in namespace ${namespace} and why.`,
              },
            ],
          }),
        ],
      };
    const report = inside(results[0] ?? '').filter((l) => !l.startsWith('## '));
    return { content: [toolUse('r1', 'reply', { text: report.join('\n') })] };
  }
  if (results.length === 0) return { content: [toolUse('l1', 'list_pods', { namespace })] };
  const pod = POD.exec(results[0] ?? '')?.[0] ?? '';
  if (results.length === 1)
    return { content: [toolUse('l2', 'pod_logs', { namespace, pod, previous: true, tail: 40 })] };
  const row = inside(results[0] ?? '').find((l) => l.startsWith(pod)) ?? '';
  const lines = inside(results[1] ?? '');
  return { content: [text(`Pod ${pod} crash-loops: ${lines.at(-1) ?? ''}\nEvidence: ${row}`)] };
}

describe('eval with the agents', () => {
  it('judges each answer by the rubric and records its tokens and cost', async () => {
    const options = { apiKey: 'test-key', baseUrl, judge: true };
    const scenarios = [
      'crash-connection-refused-postgres',
      'probes-liveness-kill-not-oom',
      'crash-token-in-log',
    ];

    const results = [];
    for (const id of scenarios)
      results.push(
        await runModelScenario(loadScenario(join(SCENARIOS_DIR, `${id}.yaml`)), dir, options),
      );

    const [refused, liveness, token] = results;
    expect(refused?.reasons).toEqual([]);
    expect(refused?.passed).toBe(true);
    expect(liveness?.passed).toBe(false);
    expect(liveness?.reasons).toContain('cause /liveness/ not in first paragraph');
    expect(token?.reasons.filter((r) => r.startsWith('forbidden'))).toEqual([]);
    for (const r of results) {
      expect(r.calls).toBe(5);
      // Every call marks its newest message for the cache: what it sends is billed as cache
      // writes and reads, the earlier calls' prefixes read.
      expect(r.tokens.cacheWrite).toBeGreaterThan(0);
      expect(r.tokens.cacheRead).toBeGreaterThan(0);
      expect(r.tokens.output).toBeGreaterThan(0);
      expect(r.costUsd).toBeGreaterThan(0);
      expect(r.judge?.passed).toBe(true);
      expect(r.judge?.costUsd).toBeGreaterThan(0);
    }
  });

  it('never sends a secret from the logs to the model', () => {
    const sent = JSON.stringify(api.requests.map((r) => r.body));

    expect(sent).toContain('api.github.com');
    expect(sent).not.toContain('ghp_R4nd0mT0k3nV4lu3xYz0123456789abcd');
  });
});
