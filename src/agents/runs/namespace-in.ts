import { inScope } from '../../policy/command-scope.ts';
import type { Cluster } from '../../tools/kubernetes/cluster.ts';
import { wrapKubernetesError } from '../../tools/kubernetes/errors.ts';

/**
 * The namespace a question or a task names (or else an earlier question), among those the asker
 * may see: a word that is the name of one of the cluster's namespaces. A channel limited to one
 * namespace means that one; otherwise none, which is the whole cluster.
 */
export async function namespaceIn(
  cluster: Cluster,
  texts: readonly string[],
  visible: readonly string[],
): Promise<string | undefined> {
  const list = await cluster.core.listNamespace().catch((error: unknown) => {
    throw wrapKubernetesError(error, { verb: 'list', resource: 'namespaces' });
  });
  for (const text of texts) {
    const words = new Set(text.toLowerCase().split(/[^a-z0-9-]+/));
    const named = list.items
      .map((n) => n.metadata?.name ?? '')
      .find((name) => words.has(name) && inScope(visible, name));
    if (named !== undefined) return named;
  }
  const only = visible.length === 1 && !visible[0]?.includes('*') ? visible[0] : undefined;
  return only;
}
