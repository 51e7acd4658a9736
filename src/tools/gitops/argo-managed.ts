import type { KubernetesObject } from '@kubernetes/client-node';
import type { Cluster } from '../kubernetes/cluster.ts';

/**
 * Whether Argo CD manages an object, and by which application: the tracking annotation
 * (`argocd.argoproj.io/tracking-id: <app>:<group>/<kind>:<namespace>/<name>`) names it;
 * the tracking label (`app.kubernetes.io/instance: <app>`, Argo CD's default before annotation
 * tracking) says it too, since Helm and others set it. Either counts only when an Application
 * of that name exists.
 */
export const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
export const TRACKING_LABEL = 'app.kubernetes.io/instance';

export type ArgoManager = {
  application: string;
  /** Where the Application object lives (Argo CD's namespace). */
  namespace: string;
  /** Self-heal on: a change made in the cluster is reverted at the next reconcile. */
  selfHeal: boolean;
  /** How the object names its application. */
  by: 'annotation' | 'label';
  /**
   * Where the application deploys from: its repository, the folder of its manifests, and whether
   * Argo CD reads that folder's subfolders too (`directory.recurse`; off, only its own files).
   */
  source: { repoURL: string; path: string; recurse: boolean };
  /** The namespace it deploys to when a manifest names none. */
  destinationNamespace: string | undefined;
};

type Application = {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    source?: { repoURL?: string; path?: string; directory?: { recurse?: boolean } | null };
    destination?: { namespace?: string };
    syncPolicy?: { automated?: { selfHeal?: boolean } | null };
  };
};

export async function argoManagerOf(
  cluster: Cluster,
  object: KubernetesObject,
): Promise<ArgoManager | undefined> {
  const annotation = object.metadata?.annotations?.[TRACKING_ANNOTATION];
  const fromAnnotation = annotation?.split(':')[0];
  const fromLabel = object.metadata?.labels?.[TRACKING_LABEL];
  const name = fromAnnotation || fromLabel;
  if (!name) return undefined;
  const apps = await applications(cluster);
  // `<namespace>_<name>` in the tracking id when the Application lives outside Argo CD's own.
  const [appNamespace, appName] = name.includes('_') ? name.split('_', 2) : [undefined, name];
  const app = apps.find(
    (a) =>
      a.metadata?.name === appName &&
      (appNamespace === undefined || a.metadata?.namespace === appNamespace),
  );
  // An object naming an Application that does not exist is nobody's: whoever may edit its
  // labels or annotations must not be able to steer where its fix goes.
  if (app === undefined) return undefined;
  return {
    application: appName ?? name,
    namespace: app.metadata?.namespace ?? '',
    selfHeal: app.spec?.syncPolicy?.automated?.selfHeal === true,
    by: fromAnnotation ? 'annotation' : 'label',
    source: {
      repoURL: app.spec?.source?.repoURL ?? '',
      path: app.spec?.source?.path ?? '.',
      recurse: app.spec?.source?.directory?.recurse === true,
    },
    destinationNamespace: app.spec?.destination?.namespace || undefined,
  };
}

/** Every Application the cluster holds; none when Argo CD is not installed or not readable. */
async function applications(cluster: Cluster): Promise<Application[]> {
  try {
    const list = (await cluster.json('GET', '/apis/argoproj.io/v1alpha1/applications')) as {
      items?: Application[];
    };
    return list.items ?? [];
  } catch {
    return [];
  }
}
