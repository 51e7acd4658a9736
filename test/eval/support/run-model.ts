import type Anthropic from '@anthropic-ai/sdk';
import { costOf, type TokenUsage } from '../../../src/agents/llm/pricing.ts';
import { buildEngine } from '../../../src/agents/runs/build-engine.ts';
import type { EngineContext } from '../../../src/agents/runs/context.ts';
import { inlineDelegator } from '../../../src/agents/runs/inline-delegator.ts';
import { runOrchestrator } from '../../../src/agents/runs/orchestrator.ts';
import { MemoryCheckpoints } from '../../../src/agents/tool-use/checkpoints.ts';
import { MemoryProposals } from '../../../src/approvals/proposal-store.ts';
import { diagnose } from '../../../src/commands/diagnose.ts';
import { loadClusterConfig } from '../../../src/config/index.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { connect } from '../../../src/tools/kubernetes/cluster.ts';
import { startFixtureCluster } from './fixture-cluster.ts';
import { citesEvidence } from './judge.ts';
import { logText, type Scenario } from './scenario.ts';

/**
 * The eval with a model: the same scenarios asked of the orchestrator and its specialists, as
 * `coxswain ask` runs them, against the same fixture clusters. Judged by a rubric (the expected
 * cause in the first paragraph, the evidence cited, nothing forbidden) and, when asked, by one
 * more model call; with the tokens and cost of each scenario.
 */
export type ModelOptions = {
  apiKey: string;
  baseUrl?: string | undefined;
  /** Ask a model to judge each answer against the rubric too. */
  judge: boolean;
};

export type ModelResult = {
  id: string;
  class: string;
  passed: boolean;
  reasons: string[];
  tokens: TokenUsage;
  costUsd: number;
  calls: number;
  ms: number;
  judge?: { passed: boolean; reason: string; tokens: TokenUsage; costUsd: number };
};

const JUDGE_TIER = 'haiku';

export async function runModelScenario(
  scenario: Scenario,
  dir: string,
  options: ModelOptions,
): Promise<ModelResult> {
  const fixture = await startFixtureCluster(scenario, dir);
  const started = performance.now();
  try {
    const cluster = connect({ name: 'eval', kubeconfig: fixture.kubeconfig });
    // The analyzers' evidence is what "cites the evidence" is judged against.
    const offline = await diagnose(cluster, {
      namespace: scenario.namespace,
      visible: ['*'],
      target: scenario.target,
    });
    const engine = await engineFor(cluster, options);
    const runId = `eval-${scenario.id}`;
    const result = await runOrchestrator(
      engine,
      { runId, question: questionOf(scenario) },
      inlineDelegator(engine, runId),
    );
    const usages = [result.state.usage, ...result.specialists.map((s) => s.usage)];
    const reasons = judgeModelAnswer(scenario, result.answer, offline.findings);
    const judged = options.judge
      ? await judgeByModel(engine.client, engine.models.haiku, scenario, result.answer)
      : undefined;
    if (judged !== undefined && !judged.passed) reasons.push(`model judge: ${judged.reason}`);
    return {
      id: scenario.id,
      class: scenario.class,
      passed: reasons.length === 0,
      reasons,
      tokens: sum(usages),
      costUsd: usages.reduce((total, u) => total + u.costUsd, 0),
      calls: usages.reduce((total, u) => total + (u.calls ?? 0), 0),
      ms: Math.round(performance.now() - started),
      ...(judged === undefined ? {} : { judge: judged }),
    };
  } finally {
    await fixture.close();
  }
}

async function engineFor(
  cluster: ReturnType<typeof connect>,
  options: ModelOptions,
): Promise<EngineContext> {
  const config = loadClusterConfig({
    ANTHROPIC_API_KEY: options.apiKey,
    ANTHROPIC_BASE_URL: options.baseUrl,
  });
  const base = await buildEngine(config, createLogger('silent'));
  if (base.client === undefined) throw new Error('the model eval needs an Anthropic key');
  return {
    ...base,
    client: base.client,
    kube: { cluster, namespaces: ['*'] },
    checkpoints: new MemoryCheckpoints(),
    proposals: new MemoryProposals(),
    maxTier: 'confirm',
  };
}

export function questionOf(scenario: Scenario): string {
  const target = scenario.target;
  return target === undefined
    ? `Is anything wrong in namespace ${scenario.namespace}? If so, what and why?`
    : `What is wrong with ${target.kind.toLowerCase()} ${target.name}${target.kind === 'Node' ? '' : ` in namespace ${scenario.namespace}`}, and why?`;
}

/** The rubric on a model's answer: its first paragraph states the cause, it cites evidence. */
export function judgeModelAnswer(
  scenario: Scenario,
  answer: string,
  findings: readonly { object: { name: string }; evidence: readonly string[] }[],
): string[] {
  const reasons: string[] = [];
  const first = answer.trim().split(/\n\s*\n/)[0] ?? '';
  const expect = scenario.expect;
  if (answer.trim() === '') return ['no answer'];
  for (const pattern of expect.cause) {
    if (!new RegExp(pattern, 'i').test(first))
      reasons.push(`cause /${pattern}/ not in first paragraph`);
  }
  if (
    expect.healthy === true &&
    !/no problems?|healthy|nothing (is )?wrong|all .* (ready|running)/i.test(first)
  )
    reasons.push('not reported healthy in first paragraph');
  if (
    expect.couldNotDetermine === true &&
    !/could ?n[o']t determine|cannot (tell|determine)|unknown|unclear/i.test(first)
  )
    reasons.push('does not say the cause could not be determined');
  if (expect.healthy !== true && !citesEvidence(answer, findings))
    reasons.push('cites none of the evidence (the object and one of its facts)');
  for (const pattern of scenario.forbid) {
    if (new RegExp(pattern, 'i').test(answer)) reasons.push(`forbidden /${pattern}/ found`);
  }
  return reasons;
}

async function judgeByModel(
  client: Anthropic,
  model: string,
  scenario: Scenario,
  answer: string,
): Promise<NonNullable<ModelResult['judge']>> {
  // A forbidden pattern found in the logs is a secret: the judge is told of secrets, not given them.
  const claims = scenario.forbid.filter(
    (pattern) => !scenario.logs.some((log) => new RegExp(pattern, 'i').test(logText(log))),
  );
  const rubric = [
    `A Kubernetes namespace was diagnosed. The fault: ${scenario.description}`,
    scenario.expect.cause.length > 0
      ? `A correct answer states, in its first paragraph, a cause matching: ${scenario.expect.cause.join('; ')}.`
      : '',
    scenario.expect.healthy === true ? 'A correct answer says nothing is wrong.' : '',
    'It cites evidence from the cluster (object names, exit codes, events, log lines).',
    claims.length > 0 ? `It must not claim: ${claims.join('; ')}.` : '',
    'It must not quote a password, token or other secret.',
    'Reply with one line: PASS or FAIL, a colon, and the reason.',
  ].filter((line) => line !== '');
  const response = await client.messages.create({
    model,
    max_tokens: 200,
    system: rubric.join('\n'),
    messages: [{ role: 'user', content: `The answer to judge:\n\n${answer}` }],
  });
  const text = response.content
    .map((b) => (b.type === 'text' ? b.text : ''))
    .join('')
    .trim();
  const tokens = {
    input: response.usage.input_tokens,
    output: response.usage.output_tokens,
    cacheRead: response.usage.cache_read_input_tokens ?? 0,
    cacheWrite: response.usage.cache_creation_input_tokens ?? 0,
  };
  return {
    passed: /^PASS\b/i.test(text),
    reason: text.replace(/^(PASS|FAIL)\s*:?\s*/i, '').slice(0, 300),
    tokens,
    costUsd: costOf(JUDGE_TIER, tokens),
  };
}

function sum(usages: readonly TokenUsage[]): TokenUsage {
  return usages.reduce(
    (total, u) => ({
      input: total.input + u.input,
      output: total.output + u.output,
      cacheRead: total.cacheRead + u.cacheRead,
      cacheWrite: total.cacheWrite + u.cacheWrite,
    }),
    { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  );
}
