import { diagnose } from '../agents/skills/diagnose.ts';
import { planRollback } from '../agents/skills/rollback.ts';
import { clusterStatus } from '../agents/skills/status.ts';
import type { ChatMessageInput } from '../chat/message.ts';
import { renderPlainText } from '../chat/plain-text.ts';
import { loadClusterConfig, readEnv } from '../config/index.ts';
import { type CommandName, parseCommand } from '../queue/command.ts';
import { Clusters } from '../tools/kubernetes/cluster.ts';
import { loadWorkflows, WORKFLOWS_DIR, workflowTask } from '../workflows/markdown.ts';
import { UsageError } from './args.ts';
import { askInTerminal } from './ask.ts';

export const CLUSTER_USAGE = `Usage: coxswain status [--cluster NAME]
       coxswain diagnose [KIND/NAME] [-n NAMESPACE] [--cluster NAME]
       coxswain rollback APP -n NAMESPACE [--cluster NAME]
       coxswain deploy APP [-n NAMESPACE] [--cluster NAME]
       coxswain workflow NAME [key=value…] [--cluster NAME]

status    nodes, namespaces with problems, counts
diagnose  findings with evidence, and the fixes a rule proposes with the API server's dry-run
          diff (nothing is changed); KIND is pod, deployment or node; without -n, every namespace
rollback  the deployment's roll back to its previous revision, as a dry-run diff (nothing is
          changed)
deploy    runs the deploy-app workflow for APP
workflow  runs a Markdown workflow from workflows/ with the agents (offline: the analyzers)

The cluster is the current kubeconfig context (KUBECONFIG or ~/.kube/config, or in-cluster
credentials), or one named in the config file (COXSWAIN_CONFIG) with --cluster.
`;

/** The skills in the terminal, with the syntax chat uses. */
export function clusterCommand(name: Exclude<CommandName, 'help'>) {
  return async (args: readonly string[]): Promise<void> => {
    const parsed = parseCommand([name, ...args]);
    if (!parsed.ok) throw new UsageError(parsed.error);
    const command = parsed.command;
    if (command.name === 'deploy' || command.name === 'workflow') {
      const workflows = loadWorkflows(WORKFLOWS_DIR);
      const workflowName = command.name === 'deploy' ? 'deploy-app' : command.workflow;
      const inputs =
        command.name === 'deploy'
          ? { app: command.app, ...(command.namespace ? { namespace: command.namespace } : {}) }
          : command.inputs;
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
    const config = loadClusterConfig(readEnv());
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
