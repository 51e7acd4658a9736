import { diagnose } from '../agents/skills/diagnose.ts';
import { clusterStatus } from '../agents/skills/status.ts';
import { renderPlainText } from '../chat/plain-text.ts';
import { loadClusterConfig, readEnv } from '../config/index.ts';
import { parseCommand } from '../queue/command.ts';
import { Clusters } from '../tools/kubernetes/cluster.ts';
import { UsageError } from './args.ts';

export const CLUSTER_USAGE = `Usage: coxswain status [--cluster NAME]
       coxswain diagnose [KIND/NAME] [-n NAMESPACE] [--cluster NAME]

status    nodes, namespaces with problems, counts
diagnose  findings with evidence, and the fixes a rule proposes with the API server's dry-run
          diff (nothing is changed); KIND is pod, deployment or node; without -n, every namespace

The cluster is the current kubeconfig context (KUBECONFIG or ~/.kube/config, or in-cluster
credentials), or one named in the config file (COXSWAIN_CONFIG) with --cluster.
`;

/** `coxswain status` and `coxswain diagnose`: the skills, printed in the terminal. */
export function clusterCommand(name: 'status' | 'diagnose') {
  return async (args: readonly string[]): Promise<void> => {
    const parsed = parseCommand([name, ...args]);
    if (!parsed.ok) throw new UsageError(parsed.error);
    const command = parsed.command;
    if (command.name === 'help') return;
    const config = loadClusterConfig(readEnv());
    const cluster = new Clusters(config.clusters).get(command.cluster);
    const result =
      command.name === 'status'
        ? await clusterStatus(cluster)
        : await diagnose(
            cluster,
            // The terminal has the kubeconfig's own rights: every namespace it can read.
            { namespace: command.namespace, target: command.target, visible: ['*'] },
            config.autonomy,
          );
    process.stdout.write(renderPlainText(result.message));
  };
}
