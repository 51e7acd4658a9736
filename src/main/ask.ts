import { buildEngine } from '../agents/runs/build-engine.ts';
import type { EngineContext } from '../agents/runs/context.ts';
import { inlineDelegator } from '../agents/runs/inline-delegator.ts';
import { answerOffline } from '../agents/runs/offline.ts';
import { runOrchestrator } from '../agents/runs/orchestrator.ts';
import { MemoryCheckpoints } from '../agents/tool-use/checkpoints.ts';
import { MemoryProposals } from '../approvals/proposal-store.ts';
import { loadClusterConfig, readEnv } from '../config/index.ts';
import { createLogger } from '../observability/logger.ts';
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

/** The terminal has no channel to limit it: it may propose up to confirm, which people approve. */
const TERMINAL_TIER = 'confirm';

/** Runs the orchestrator in this process on a question or a workflow's task, and prints the answer. */
export async function askInTerminal(question: string, clusterName: string | undefined) {
  const config = loadClusterConfig(readEnv());
  const kube = { cluster: new Clusters(config.clusters).get(clusterName), namespaces: ['*'] };
  const proposals = new MemoryProposals();
  const runId = `ask-${Date.now().toString(36)}`;
  // The terminal shows the answer and nothing else.
  const base = await buildEngine(config, createLogger('silent'));
  const answer =
    base.client === undefined
      ? (
          await answerOffline(
            {
              kube,
              proposals,
              autonomy: config.autonomy,
              maxTier: TERMINAL_TIER,
              log: base.log,
              monitoring: base.monitoring,
            },
            runId,
            question,
          )
        ).answer
      : await answerWithModel(
          {
            ...base,
            client: base.client,
            kube,
            checkpoints: new MemoryCheckpoints(),
            proposals,
            maxTier: TERMINAL_TIER,
          },
          runId,
          question,
        );
  process.stdout.write(`${answer}\n`);
}

/** The orchestrator's answer, with each proposal's dry-run diff and the run's cost under it. */
async function answerWithModel(
  engine: EngineContext & { proposals: MemoryProposals },
  runId: string,
  question: string,
): Promise<string> {
  const result = await runOrchestrator(engine, { runId, question }, inlineDelegator(engine, runId));
  const cost =
    result.state.usage.costUsd + result.specialists.reduce((sum, s) => sum + s.usage.costUsd, 0);
  const ids = result.specialists.flatMap((s) => s.proposals);
  const diffs = await Promise.all(ids.map((id) => engine.proposals.get(id)));
  return [
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
