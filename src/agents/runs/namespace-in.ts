import { inScope } from '../../policy/command-scope.ts';
import type { Cluster } from '../../tools/kubernetes/cluster.ts';
import { wrapKubernetesError } from '../../tools/kubernetes/errors.ts';

/**
 * The namespace a question or a task names (or else an earlier question), among those the asker
 * may see: a word that is the name of one of the cluster's namespaces. A channel limited to one
 * namespace means that one; else the namespace of a Deployment or StatefulSet the question
 * names; otherwise none, which is the whole cluster.
 */
export async function namespaceIn(
  cluster: Cluster,
  texts: readonly string[],
  visible: readonly string[],
): Promise<string | undefined> {
  const list = await cluster.core.listNamespace().catch((error: unknown) => {
    throw wrapKubernetesError(error, { verb: 'list', resource: 'namespaces' });
  });
  const wordsOf = (text: string) => new Set(text.toLowerCase().split(/[^a-z0-9-]+/));
  for (const text of texts) {
    const words = wordsOf(text);
    const named = list.items
      .map((n) => n.metadata?.name ?? '')
      .find((name) => words.has(name) && inScope(visible, name));
    if (named !== undefined) return named;
  }
  const only = visible.length === 1 && !visible[0]?.includes('*') ? visible[0] : undefined;
  return only ?? (await workloadNamespace(cluster, texts.map(wordsOf), visible));
}

/**
 * The namespace of the workload a question names ("payments-api") when it names no namespace:
 * one more list, of Deployments and StatefulSets' names, read only then; a name in several
 * namespaces says none.
 */
async function workloadNamespace(
  cluster: Cluster,
  texts: readonly Set<string>[],
  visible: readonly string[],
): Promise<string | undefined> {
  const [deployments, statefulSets] = await Promise.all([
    cluster.apps.listDeploymentForAllNamespaces(),
    cluster.apps.listStatefulSetForAllNamespaces(),
  ]).catch((error: unknown) => {
    throw wrapKubernetesError(error, { verb: 'list', resource: 'deployments' });
  });
  const workloads = [...deployments.items, ...statefulSets.items].flatMap((w) =>
    w.metadata?.name && w.metadata.namespace && inScope(visible, w.metadata.namespace)
      ? [{ name: w.metadata.name, namespace: w.metadata.namespace }]
      : [],
  );
  for (const words of texts) {
    const namespaces = new Set(workloads.filter((w) => words.has(w.name)).map((w) => w.namespace));
    if (namespaces.size === 1) return [...namespaces][0];
  }
  return undefined;
}
