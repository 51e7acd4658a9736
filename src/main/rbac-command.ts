import { basename } from 'node:path';
import {
  type ClusterEntry,
  DEFAULT_CLUSTER_NAME,
  loadClusterConfig,
  readEnv,
} from '../config/index.ts';
import { subjectOf, type WriterSubject, writerRbac } from '../tools/kubernetes/writer-rbac.ts';
import { parseFlags, UsageError } from './args.ts';

export const RBAC_USAGE = `Usage: coxswain rbac [--config FILE] [--cluster NAME] [--namespace NS] [--service-account NAME]

Prints the RBAC objects (YAML, for kubectl apply) of the identity a cluster writes as (its
writeAs in the config file): in each namespace a binding names, a Role and RoleBinding with
exactly the writes of the actions the autonomy policy lets that binding take; a binding over
every namespace ("*") gets a ClusterRole instead.

  --config FILE             the config file (default: COXSWAIN_CONFIG); nothing else is read
  --cluster NAME            the cluster whose bindings count (default: the file's first)
  --namespace NS            the writer ServiceAccount's namespace, when the cluster has no
                            writeAs (default: coxswain)
  --service-account NAME    its name, when the cluster has no writeAs (default: coxswain-writer)
`;

const DEFAULT_ACCOUNT = { namespace: 'coxswain', name: 'coxswain-writer' };

/** The YAML `coxswain rbac` prints for these arguments; `configPath` stands in for `--config`. */
export function rbacManifest(args: readonly string[], configPath?: string): string {
  const { values } = parseFlags('rbac', args, {
    config: { type: 'string' },
    cluster: { type: 'string' },
    namespace: { type: 'string' },
    'service-account': { type: 'string' },
  });
  const path = values.config ?? configPath;
  if (path === undefined || path === '')
    throw new UsageError(
      'coxswain rbac: name the config file with --config FILE or COXSWAIN_CONFIG',
    );
  const config = loadClusterConfig({ COXSWAIN_CONFIG: path });
  // A file that lists no clusters has the one cluster `default`, as the worker has.
  const clusters: readonly ClusterEntry[] =
    config.clusters.length === 0 ? [{ name: DEFAULT_CLUSTER_NAME }] : config.clusters;
  const cluster =
    values.cluster === undefined ? clusters[0] : clusters.find((c) => c.name === values.cluster);
  if (cluster === undefined)
    throw new UsageError(
      `coxswain rbac: the config file has no cluster ${values.cluster ?? ''} (clusters: ${clusters.map((c) => c.name).join(', ')})`,
    );
  const flags = [
    `--config ${basename(path)}`,
    ...(values.cluster === undefined ? [] : [`--cluster ${values.cluster}`]),
    ...(values.namespace === undefined ? [] : [`--namespace ${values.namespace}`]),
    ...(values['service-account'] === undefined
      ? []
      : [`--service-account ${values['service-account']}`]),
  ];
  return writerRbac({
    cluster: cluster.name,
    bindings: config.bindings,
    autonomy: config.autonomy,
    subject: subjectFor(cluster.writeAs, values.namespace, values['service-account']),
    regenerate: `coxswain rbac ${flags.join(' ')}`,
  });
}

/** The cluster's writeAs; the flags only name an account it does not, and may not contradict it. */
function subjectFor(
  writeAs: string | undefined,
  namespace: string | undefined,
  name: string | undefined,
): WriterSubject {
  if (writeAs === undefined)
    return {
      kind: 'ServiceAccount',
      namespace: namespace ?? DEFAULT_ACCOUNT.namespace,
      name: name ?? DEFAULT_ACCOUNT.name,
    };
  const subject = subjectOf(writeAs);
  const differs =
    (namespace !== undefined &&
      (subject.kind !== 'ServiceAccount' || subject.namespace !== namespace)) ||
    (name !== undefined && subject.name !== name);
  if (differs)
    throw new UsageError(
      `coxswain rbac: the cluster writes as ${writeAs} (writeAs in the config file); --namespace and --service-account may only name that account`,
    );
  return subject;
}

export async function rbac(args: readonly string[]): Promise<void> {
  process.stdout.write(rbacManifest(args, readEnv().COXSWAIN_CONFIG));
}
