import { inScope } from '../../policy/command-scope.ts';
import { analyzeApplications } from '../kubernetes/analyzers/argocd.ts';
import type { Finding } from '../kubernetes/analyzers/index.ts';
import type { Cluster } from '../kubernetes/cluster.ts';
import { mergeSnapshots, readSnapshot } from '../kubernetes/snapshot.ts';
import { listApplications } from './application.ts';

/**
 * The Argo CD analyzers on a live cluster: the Applications of `namespace`, those deploying into
 * a namespace the asker may see, with the objects and events of their destinations and their own
 * events. Read once per destination namespace, whatever the number of applications.
 */
export async function argocdFindings(
  cluster: Cluster,
  namespace: string,
  visible: readonly string[],
): Promise<Finding[]> {
  const apps = (await listApplications(cluster, namespace)).filter((app) => {
    const destination = app.spec.destination?.namespace;
    return destination === undefined ? inScope(visible, namespace) : inScope(visible, destination);
  });
  if (apps.length === 0) return [];
  const destinations = new Set(
    apps.flatMap((app) =>
      app.spec.destination?.namespace ? [app.spec.destination.namespace] : [],
    ),
  );
  const snapshots = await Promise.all(
    [...new Set([namespace, ...destinations])].map((ns) => readSnapshot(cluster, ns)),
  );
  return analyzeApplications(apps, mergeSnapshots(snapshots));
}
