import type { Queue } from 'bullmq';
import { offerProposal } from '../../approvals/offer.ts';
import { type ProposalStore, proposalId } from '../../approvals/proposal-store.ts';
import { type ChatMessageInput, LIMITS } from '../../chat/message.ts';
import type { Autonomy, Binding } from '../../config/policy-schema.ts';
import { CoxswainError } from '../../errors.ts';
import { bindingFor, mayRun } from '../../policy/bindings.ts';
import { commandScope } from '../../policy/command-scope.ts';
import { redactText } from '../../policy/redact.ts';
import { redactObject } from '../../policy/redact-object.ts';
import { type SuspendSwitch, type Suspension, suspendedLine } from '../../policy/suspend.ts';
import { tierOf } from '../../policy/tiers.ts';
import type { CommandRunJob, OutboxJobInput } from '../../queue/jobs.ts';
import type { KubeAction } from '../../tools/kubernetes/actions/action.ts';
import type { Clusters } from '../../tools/kubernetes/cluster.ts';
import { diagnose } from '../../commands/diagnose.ts';
import { planRollback } from '../../commands/rollback.ts';
import { clusterStatus } from '../../commands/status.ts';

export type CommandRunDeps = {
  outbox: Queue<OutboxJobInput>;
  clusters: Clusters;
  bindings: readonly Binding[];
  autonomy: Autonomy;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
  /** Where proposed fixes are recorded, to be shown as cards. */
  proposals?: ProposalStore;
  /** Whether writes are suspended, for `status` to say so first. */
  suspension: SuspendSwitch;
};

/**
 * Runs a channel's command on the worker: checks the binding again (config may have changed
 * since the bot queued it), reads the cluster, and posts the answer. A cluster that cannot be
 * read is an answer too: the person who asked learns why.
 */
export async function processCommandRun(
  run: CommandRunJob,
  runJobId: string,
  deps: CommandRunDeps,
) {
  const command = run.command;
  let message: ChatMessageInput;
  const fixes: { action: KubeAction; rationale: string }[] = [];
  const scope = commandScope(
    command,
    bindingFor(run.channel, deps.bindings),
    deps.clusters.names,
    run.channel,
  );
  if (!scope.allowed) {
    message = {
      headline: `I cannot run ${command.name} here`,
      text: scope.reason,
      tone: 'warning',
    };
  } else {
    try {
      const cluster = deps.clusters.get(scope.cluster);
      if (command.name === 'status')
        message = withSuspension(
          (await clusterStatus(cluster, scope.namespaces)).message,
          await deps.suspension.state(),
        );
      else if (command.name === 'diagnose') {
        const diagnosis = await diagnose(
          cluster,
          { namespace: command.namespace, target: command.target, visible: scope.namespaces },
          deps.autonomy,
        );
        message = diagnosis.message;
        for (const { action } of diagnosis.actions) {
          const why = diagnosis.findings.find(
            (f) =>
              f.action?.type === action.type &&
              f.action.target.name === action.target.name &&
              f.action.target.namespace === action.target.namespace,
          );
          fixes.push({ action, rationale: why?.title ?? 'A fix the analyzers propose.' });
        }
      } else {
        const namespace = scope.namespace ?? command.namespace ?? '';
        const plan = await planRollback(cluster, { app: command.app, namespace }, deps.autonomy);
        message = plan.message;
        if (plan.action !== undefined)
          fixes.push({
            action: plan.action,
            rationale: `${requesterName(run)} asked to roll back.`,
          });
      }
    } catch (error) {
      if (!(error instanceof CoxswainError)) throw error;
      message = { headline: `${command.name} failed`, text: error.message, tone: 'warning' };
    }
  }
  // Cluster text (API errors, webhook messages, names) can quote credentials: none reach chat.
  message = redactObject(message);
  const asked = `${run.requester.slice(run.requester.indexOf(':') + 1)} asked: ${command.name}`;
  await deps.outbox.add(
    'answer',
    {
      channel: run.channel,
      message: { ...message, footer: message.footer ? `${asked} · ${message.footer}` : asked },
      ...(run.thread === undefined ? {} : { thread: run.thread }),
    },
    { jobId: `${runJobId}.answer` },
  );
  await offerFixes(run, runJobId, fixes, deps);
  return { command: command.name, answered: message.headline, proposals: fixes.length };
}

/** A status answer says first that writes are suspended, and since when, by whom and why. */
function withSuspension(
  message: ChatMessageInput,
  suspension: Suspension | undefined,
): ChatMessageInput {
  if (suspension === undefined) return message;
  return {
    ...message,
    headline: fitLine(suspendedLine(suspension), LIMITS.headline),
    text: message.text === undefined ? message.headline : `${message.headline}\n${message.text}`,
    tone: message.tone === 'critical' ? 'critical' : 'warning',
  };
}

function fitLine(line: string, max: number): string {
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function requesterName(run: CommandRunJob): string {
  return run.requester.slice(run.requester.indexOf(':') + 1);
}

/**
 * Each fix the channel may approve becomes a proposal with its card in the same thread. One the
 * binding's tier does not reach is shown in the answer only.
 */
async function offerFixes(
  run: CommandRunJob,
  runJobId: string,
  fixes: readonly { action: KubeAction; rationale: string }[],
  deps: CommandRunDeps,
) {
  const proposals = deps.proposals;
  if (proposals === undefined) return;
  const binding = bindingFor(run.channel, deps.bindings);
  for (const { action, rationale } of fixes) {
    const tier = tierOf({ verb: action.verb, kind: action.target.kind }, deps.autonomy);
    const target = {
      cluster: action.target.cluster,
      ...(action.target.namespace === undefined ? {} : { namespace: action.target.namespace }),
    };
    if (!mayRun(binding, target, tier).allowed) continue;
    const id = proposalId(
      runJobId,
      `${action.type}/${action.target.namespace}/${action.target.name}`,
    );
    await offerProposal(
      {
        id,
        runId: runJobId,
        agent: run.command.name,
        action,
        state: 'pending',
        createdAt: new Date().toISOString(),
        rationale: redactText(rationale).slice(0, 1_000),
      },
      {
        channel: run.channel,
        ...(run.thread === undefined ? {} : { thread: run.thread }),
        requester: run.requester,
        cluster: action.target.cluster,
      },
      {
        proposals,
        outbox: deps.outbox,
        autonomy: deps.autonomy,
        dashboardUrl: deps.dashboardUrl,
      },
    );
  }
}
