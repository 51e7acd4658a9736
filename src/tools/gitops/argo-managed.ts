import type { KubernetesObject } from '@kubernetes/client-node';
import type { Cluster } from '../kubernetes/cluster.ts';

/**
 * Whether Argo CD manages an object, and by which application: the tracking annotation
 * (`argocd.argoproj.io/tracking-id: <app>:<group>/<kind>:<namespace>/<name>`) says so outright;
 * the tracking label (`app.kubernetes.io/instance: <app>`, Argo CD's default before annotation
 * tracking) only when an Application of that name exists, since Helm and others set it too.
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
};

type Application = {
  metadata?: { name?: string; namespace?: string };
  spec?: { syncPolicy?: { automated?: { selfHeal?: boolean } | null } };
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
  if (app === undefined)
    return fromAnnotation
      ? { application: name, namespace: appNamespace ?? '', selfHeal: true, by: 'annotation' }
      : undefined;
  return {
    application: appName ?? name,
    namespace: app.metadata?.namespace ?? '',
    selfHeal: app.spec?.syncPolicy?.automated?.selfHeal === true,
    by: fromAnnotation ? 'annotation' : 'label',
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
