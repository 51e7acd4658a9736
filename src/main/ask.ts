import { createModelClient } from '../agents/llm/client.ts';
import { loadAgents, PROMPTS_DIR } from '../agents/registry.ts';
import { runBudget } from '../agents/runs/budget.ts';
import { inlineDelegator } from '../agents/runs/inline-delegator.ts';
import { answerOffline } from '../agents/runs/offline.ts';
import { runOrchestrator } from '../agents/runs/orchestrator.ts';
import { MemoryCheckpoints } from '../agents/tool-use/checkpoints.ts';
import { KUBE_TOOL_NAMES } from '../agents/tool-use/kube-tools.ts';
import { MemoryProposals } from '../approvals/proposal-store.ts';
import { loadClusterConfig, readEnv } from '../config/index.ts';
import { Clusters } from '../tools/kubernetes/cluster.ts';
import { parseFlags, UsageError } from './args.ts';

export const ASK_USAGE = `Usage: coxswain ask [--cluster NAME] "QUESTION"

Asks the agents about the current kubeconfig context (or the named cluster) and prints the
answer, with any fixes proposed and their dry-run diffs. Nothing is changed. With
ANTHROPIC_API_KEY set the orchestrator and its specialists use Claude; without it the answer
comes from the analyzers.
`;

/** `coxswain ask`: the engine in the terminal, for when chat is down. */
export async function ask(args: readonly string[]): Promise<void> {
  const { values, positionals } = parseFlags('ask', args, { cluster: { type: 'string' } }, 1);
  const question = positionals[0]?.trim();
  if (question === undefined || question === '')
    throw new UsageError('coxswain ask: give the question, in quotes');
  await askInTerminal(question, values.cluster);
}

/** Runs the orchestrator in this process on a question or a workflow's task, and prints the answer. */
export async function askInTerminal(question: string, clusterName: string | undefined) {
  const config = loadClusterConfig(readEnv());
  const kube = { cluster: new Clusters(config.clusters).get(clusterName), namespaces: ['*'] };
  const proposals = new MemoryProposals();
  const runId = `ask-${Date.now().toString(36)}`;
  let answer: string;
  if (config.anthropic.apiKey === undefined) {
    answer = (await answerOffline({ kube, proposals, autonomy: config.autonomy }, runId, question))
      .answer;
  } else {
    const engine = {
      agents: loadAgents(PROMPTS_DIR, KUBE_TOOL_NAMES),
      client: createModelClient({
        apiKey: config.anthropic.apiKey,
        baseUrl: config.anthropic.baseUrl,
      }),
      models: config.models,
      kube,
      checkpoints: new MemoryCheckpoints(),
      proposals,
      autonomy: config.autonomy,
      budget: runBudget(config.budgets),
    };
    const result = await runOrchestrator(
      engine,
      { runId, question },
      inlineDelegator(engine, runId),
    );
    const cost =
      result.state.usage.costUsd + result.specialists.reduce((sum, s) => sum + s.usage.costUsd, 0);
    const ids = result.specialists.flatMap((s) => s.proposals);
    const diffs = await Promise.all(ids.map((id) => proposals.get(id)));
    answer = [
      result.answer,
      ...diffs.flatMap((p) =>
        p === undefined
          ? []
          : ['', `Proposed (${p.id}, not applied): ${p.action.summary}`, p.action.diff],
      ),
      '',
      `(${result.specialists.length} specialist run${result.specialists.length === 1 ? '' : 's'}, about $${cost.toFixed(3)})`,
    ].join('\n');
  }
  process.stdout.write(`${answer}\n`);
}
