import type { ProposalRecords } from '../approvals/proposal-store.ts';
import type { Autonomy } from '../config/policy-schema.ts';
import type { GitRepository } from '../tools/git/repository.ts';
import type { KubeContext } from '../tools/kubernetes/context.ts';
import { advanceRun, type Executor, executeStep, type RunReporter } from './advance.ts';
import { statusMessage, stepLine } from './run-messages.ts';
import type { InputValue, RunPlace, RunView } from './run-record.ts';
import type { AgentAnswer, AgentRequest, Gates } from './run-step.ts';
import { MemoryRunStore } from './run-store.ts';
import type { YamlWorkflow } from './yaml-schema.ts';

/**
 * A workflow run in this process (`coxswain workflow run`): the same engine and steps, with the
 * run kept in memory, parallel steps as promises, and no way to decide a gate. The terminal never
 * changes a cluster: a change a step proposes is printed with its dry-run diff, and the run stops
 * there, saying so.
 */
export type InProcessDeps = {
  kube: KubeContext;
  /** The GitOps repository, when the config names one: a change step's fix may be a pull request. */
  git: GitRepository | undefined;
  autonomy: Autonomy;
  agent(request: AgentRequest): Promise<AgentAnswer>;
  /** Where the agents recorded their proposals, to print them. */
  proposals: ProposalRecords;
  print(text: string): void;
};

export async function runInProcess(
  workflow: YamlWorkflow,
  inputs: Record<string, InputValue>,
  place: RunPlace,
  deps: InProcessDeps,
  now = () => new Date(),
): Promise<RunView | undefined> {
  const store = new MemoryRunStore();
  const runId = `cli-${now().getTime().toString(36)}`;
  await store.create({
    runId,
    trigger: 'manual',
    inputs,
    place,
    startedAt: now().toISOString(),
    workflow,
  });
  const reporter = printer(deps.print);
  const stepDeps = {
    place,
    kube: deps.kube,
    git: deps.git,
    autonomy: deps.autonomy,
    agent: deps.agent,
    gates: terminalGates(deps),
  };
  return advanceRun(runId, {
    store,
    executor: inline((step) =>
      executeStep(runId, step, { store, step: () => stepDeps, reporter, now }),
    ),
    gateOutcome: async () => undefined,
    reporter,
    now,
  });
}

function terminalGates(deps: InProcessDeps): Gates {
  return {
    async propose(proposal) {
      deps.print(`\nProposed: ${proposal.action.summary}\n${proposal.action.diff}\n`);
      return {
        ok: false,
        stop: true,
        reason: `${proposal.action.summary} needs a decision, which the terminal cannot give (nothing was changed); run the workflow from chat to decide it there`,
      };
    },
    async show(ids) {
      for (const id of ids) {
        const proposal = await deps.proposals.get(id);
        if (proposal !== undefined)
          deps.print(`\nProposed: ${proposal.action.summary}\n${proposal.action.diff}\n`);
      }
      // Shown, never decided: the terminal changes nothing.
      return false;
    },
  };
}

/** Steps as promises: started once each, waited for as they end. */
function inline(run: (step: string) => Promise<unknown>): Executor {
  const running = new Map<string, Promise<unknown>>();
  return {
    async start(steps) {
      for (const step of steps)
        if (!running.has(step))
          running.set(
            step,
            run(step).finally(() => running.delete(step)),
          );
    },
    async lost() {
      return {};
    },
    async wait() {
      if (running.size > 0) await Promise.race(running.values());
    },
  };
}

function printer(print: (text: string) => void): RunReporter {
  return {
    async progress() {},
    async stepDone(_view, step, record) {
      print(stepLine(step, record));
      if (record.state === 'succeeded' && record.text !== undefined && record.text.trim() !== '')
        print(indent(record.text));
    },
    async finished(view) {
      const message = statusMessage(view);
      print(`\n${message.headline ?? ''}\n${view.summary ?? ''}`);
    },
  };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
