import type { ChatMessageInput } from '../chat/message.ts';
import { renderPlainText } from '../chat/plain-text.ts';
import { diagnose } from '../commands/diagnose.ts';
import { parseCommand } from '../commands/grammar.ts';
import { planRollback } from '../commands/rollback.ts';
import { clusterStatus } from '../commands/status.ts';
import { workflowRequest } from '../commands/workflow.ts';
import { loadClusterConfig, readEnv } from '../config/index.ts';
import type { CommandName } from '../queue/command-data.ts';
import { Clusters } from '../tools/kubernetes/cluster.ts';
import { loadWorkflows, workflowTask } from '../workflows/markdown.ts';
import { UsageError } from './args.ts';
import { askInTerminal } from './ask.ts';

/** The skills in the terminal, with the syntax chat uses. */
export function clusterCommand(name: Exclude<CommandName, 'help'>) {
  return async (args: readonly string[]): Promise<void> => {
    const parsed = parseCommand([name, ...args]);
    if (!parsed.ok) throw new UsageError(parsed.error);
    const command = parsed.command;
    const config = loadClusterConfig(readEnv());
    if (command.name === 'deploy' || command.name === 'workflow') {
      const workflows = loadWorkflows(config.workflowsDir);
      const { name: workflowName, inputs } = workflowRequest(command);
      const workflow = workflows.get(workflowName);
      if (workflow === undefined)
        throw new UsageError(
          `no workflow named ${workflowName} (workflows: ${[...workflows.keys()].join(', ') || 'none'})`,
        );
      const task = workflowTask(workflow, inputs);
      if (!task.ok) throw new UsageError(task.error);
      return askInTerminal(task.task, command.cluster);
    }
    if (command.name === 'help') return;
    const cluster = new Clusters(config.clusters).get(command.cluster);
    let message: ChatMessageInput;
    if (command.name === 'status') message = (await clusterStatus(cluster)).message;
    else if (command.name === 'diagnose')
      message = (
        await diagnose(
          cluster,
          // The terminal has the kubeconfig's own rights: every namespace it can read.
          { namespace: command.namespace, target: command.target, visible: ['*'] },
          config.autonomy,
        )
      ).message;
    else {
      if (command.namespace === undefined)
        throw new UsageError('rollback needs the namespace: -n NAMESPACE');
      message = (
        await planRollback(
          cluster,
          { app: command.app, namespace: command.namespace },
          config.autonomy,
        )
      ).message;
    }
    process.stdout.write(renderPlainText(message));
  };
}
