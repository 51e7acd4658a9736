import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inlineDelegator } from '../src/agents/runs/inline-delegator.ts';
import { runOrchestrator } from '../src/agents/runs/orchestrator.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import { connect } from '../src/tools/kubernetes/cluster.ts';
import { inProcessEngine } from '../test/support/engine.ts';
import {
  crashLoopAlertQuestion,
  crashLoopingPods,
  investigator,
  type Variant,
} from '../test/support/investigator-model.ts';
import { MessagesApi, type RecordedRequest } from '../test/support/messages-api.ts';
import { MIN_CACHEABLE_TOKENS, PromptCache } from '../test/support/prompt-cache.ts';
import type { Figures } from './support.ts';

/**
 * The tokens of a crashloop investigation: KubePodCrashLooping fires for a pod of the sandbox's
 * `oom-crashloop` scenario, and its default investigation runs through the engine in this
 * process as the worker runs it (the orchestrator with the shipped prompts, the diagnostician
 * with the analyzers' findings in its first turn, real tool calls against the sandbox). The
 * model is the local Messages API, scripted to act on what it is sent (bench/investigator-model.ts),
 * which estimates usage: four characters a token, prompt caching as the API does it
 * (test/support/prompt-cache.ts). Input tokens are uncached + read from the cache + written to
 * it, over every model call of the investigation.
 *
 * Each variant runs twice: first on an empty cache, then for the scenario's other pod (an
 * alert of its own) a minute later, while the first investigation's prefixes are cached, as
 * they are on a cluster where alerts and questions come more often than every five minutes.
 */
const TARGET_TOKENS = 12_000;
const TARGET_CACHED = 0.75;
const NAMESPACE = 'payments';
/** The estimate's minimum cacheable prefix; some models cache nothing under 2,048 or 4,096. */
const MIN_TOKENS = Number(process.env.BENCH_CACHE_MIN_TOKENS ?? MIN_CACHEABLE_TOKENS);

type Investigation = {
  calls: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
  cachedShare: number;
  perCall: number[];
  /**
   * The most that could be read from the cache on an empty one: each agent's first call has
   * nothing cached to read (its prefix is new), so at best every later call reads all it sends.
   */
  coldCeiling: number;
};

export async function benchInvestigationTokens(): Promise<Figures> {
  console.log(
    `\n## crashloop investigation (tokens estimated by the local Messages API; prefixes of ${MIN_TOKENS}+ tokens cached)`,
  );
  const figures: Figures = {
    targets: { inputTokens: TARGET_TOKENS, cachedShare: TARGET_CACHED },
    minCacheableTokens: MIN_TOKENS,
  };
  for (const variant of ['as prompted', 'reads the log first'] as const) {
    const [cold, warm] = await measure(variant);
    if (cold === undefined || warm === undefined) throw new Error('an investigation is missing');
    for (const [label, run] of [
      ['empty cache', cold],
      ['cache warm', warm],
    ] as const) {
      console.log(
        `${variant}, ${label}: ${run.calls} model calls, ${run.total} input tokens (target ≤ ${TARGET_TOKENS}): uncached ${run.input}, cache read ${run.cacheRead}, cache write ${run.cacheWrite}; ${percent(run.cachedShare)} read from cache (target ≥ ${percent(TARGET_CACHED)}${label === 'empty cache' ? `; at most ${percent(run.coldCeiling)} can be, each agent's first call being new` : ''}); per call ${run.perCall.join(', ')}`,
      );
    }
    figures[variant === 'as prompted' ? 'asPrompted' : 'readsLogFirst'] = { cold, warm };
  }
  return figures;
}

async function measure(variant: Variant): Promise<Investigation[]> {
  const sandbox = await startSandbox({ scenarios: ['oom-crashloop'] });
  const api = new MessagesApi();
  api.estimateUsage = true;
  api.promptCache = new PromptCache({ minTokens: () => MIN_TOKENS });
  api.respond = investigator(variant);
  const baseUrl = await api.start();
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-investigation-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    sandbox.writeKubeconfig(kubeconfig);
    const engine = inProcessEngine(connect({ name: 'sandbox', kubeconfig }), baseUrl);
    const pods = await crashLoopingPods(engine.kube.cluster, NAMESPACE);
    const runs: Investigation[] = [];
    for (const [i, pod] of pods.slice(0, 2).entries()) {
      const first = api.requests.length;
      const question = crashLoopAlertQuestion(NAMESPACE, pod);
      const runId = `bench-investigation-${i}`;
      await runOrchestrator(engine, { runId, question }, inlineDelegator(engine, runId));
      runs.push(tally(api.requests.slice(first)));
    }
    return runs;
  } finally {
    await api.stop();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The usage the API reported for each call of one investigation, added up. */
function tally(requests: RecordedRequest[]): Investigation {
  const usages = requests.map((r) => ({
    input: r.usage?.input_tokens ?? 0,
    cacheRead: r.usage?.cache_read_input_tokens ?? 0,
    cacheWrite: r.usage?.cache_creation_input_tokens ?? 0,
  }));
  const sum = (pick: (u: (typeof usages)[number]) => number) =>
    usages.reduce((t, u) => t + pick(u), 0);
  const input = sum((u) => u.input);
  const cacheRead = sum((u) => u.cacheRead);
  const cacheWrite = sum((u) => u.cacheWrite);
  const total = input + cacheRead + cacheWrite;
  const sizes = usages.map((u) => u.input + u.cacheRead + u.cacheWrite);
  const agents = requests.map((r) => JSON.stringify(r.body.system ?? ''));
  const firstCalls = sizes.filter((_, i) => agents.indexOf(agents[i] as string) === i);
  const firstSum = firstCalls.reduce((t, n) => t + n, 0);
  return {
    calls: usages.length,
    input,
    cacheRead,
    cacheWrite,
    total,
    cachedShare: total === 0 ? 0 : Math.round((cacheRead / total) * 1000) / 1000,
    perCall: sizes,
    coldCeiling: total === 0 ? 0 : Math.round(((total - firstSum) / total) * 1000) / 1000,
  };
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}
