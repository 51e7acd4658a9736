import type { Queue } from 'bullmq';
import { CoxswainError } from '../../errors.ts';
import { bindingFor } from '../../policy/bindings.ts';
import { commandScope } from '../../policy/command-scope.ts';
import { redactObject } from '../../policy/redact-object.ts';
import type { Autonomy, Binding } from '../../policy/schema.ts';
import type { CommandRunJob, OutboxJobInput } from '../../queue/jobs.ts';
import type { ChatMessageInput } from '../../queue/message.ts';
import type { Clusters } from '../../tools/kubernetes/cluster.ts';
import { diagnose } from './diagnose.ts';
import { planRollback } from './rollback.ts';
import { clusterStatus } from './status.ts';

export type CommandRunDeps = {
  outbox: Queue<OutboxJobInput>;
  clusters: Clusters;
  bindings: readonly Binding[];
  autonomy: Autonomy;
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
        message = (await clusterStatus(cluster, scope.namespaces)).message;
      else if (command.name === 'diagnose') {
        message = (
          await diagnose(
            cluster,
            { namespace: command.namespace, target: command.target, visible: scope.namespaces },
            deps.autonomy,
          )
        ).message;
      } else {
        const namespace = scope.namespace ?? command.namespace ?? '';
        message = (await planRollback(cluster, { app: command.app, namespace }, deps.autonomy))
          .message;
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
  return { command: command.name, answered: message.headline };
}
