import { z } from 'zod';
import { CoxswainError } from '../../errors.ts';
import { inScope } from '../../policy/command-scope.ts';
import type { Cluster } from '../kubernetes/cluster.ts';
import { KubernetesError, wrapKubernetesError } from '../kubernetes/errors.ts';

/**
 * An Argo CD Application (argoproj.io/v1alpha1) as the tools read it: only the fields they use,
 * each checked, everything else let through, so an Application from any Argo CD version reads.
 */
const Source = z.looseObject({
  repoURL: z.string().optional(),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
  /** Set for a chart from a Helm repository; then `path` is unset. */
  chart: z.string().optional(),
  /** Present when Argo CD renders the source with Helm, Kustomize or a plugin. */
  helm: z.unknown().optional(),
  kustomize: z.unknown().optional(),
  plugin: z.unknown().optional(),
});
export type Source = z.infer<typeof Source>;

const Health = z.looseObject({ status: z.string().optional(), message: z.string().optional() });

const Resource = z.looseObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  status: z.string().optional(),
  health: Health.optional(),
  requiresPruning: z.boolean().optional(),
});
export type AppResource = z.infer<typeof Resource>;

const SyncResultResource = Resource.extend({
  message: z.string().optional(),
  hookPhase: z.string().optional(),
});

const Operation = z.looseObject({
  sync: z
    .looseObject({
      revision: z.string().optional(),
      prune: z.boolean().optional(),
      source: Source.optional(),
      selfHealAttemptsCount: z.number().optional(),
    })
    .optional(),
  initiatedBy: z
    .looseObject({ username: z.string().optional(), automated: z.boolean().optional() })
    .optional(),
  info: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
});
export type Operation = z.infer<typeof Operation>;

const History = z.looseObject({
  id: z.number(),
  revision: z.string().optional(),
  deployedAt: z.string().optional(),
  deployStartedAt: z.string().optional(),
  source: Source.optional(),
  initiatedBy: Operation.shape.initiatedBy,
});
export type HistoryEntry = z.infer<typeof History>;

export const Application = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    deletionTimestamp: z.string().optional(),
  }),
  spec: z
    .looseObject({
      project: z.string().optional(),
      source: Source.optional(),
      /** A multi-source application's sources, instead of `source`. */
      sources: z.array(Source).optional(),
      destination: z
        .looseObject({
          server: z.string().optional(),
          namespace: z.string().optional(),
          name: z.string().optional(),
        })
        .optional(),
      syncPolicy: z
        .looseObject({
          automated: z
            .looseObject({ prune: z.boolean().optional(), selfHeal: z.boolean().optional() })
            .nullable()
            .optional(),
        })
        .nullable()
        .optional(),
    })
    .default({}),
  operation: Operation.optional(),
  status: z
    .looseObject({
      sync: z
        .looseObject({ status: z.string().optional(), revision: z.string().optional() })
        .optional(),
      health: Health.optional(),
      resources: z.array(Resource).optional(),
      conditions: z
        .array(
          z.looseObject({
            type: z.string(),
            message: z.string().optional(),
            lastTransitionTime: z.string().optional(),
          }),
        )
        .optional(),
      history: z.array(History).optional(),
      operationState: z
        .looseObject({
          operation: Operation.optional(),
          phase: z.string().optional(),
          message: z.string().optional(),
          startedAt: z.string().optional(),
          finishedAt: z.string().optional(),
          syncResult: z
            .looseObject({
              revision: z.string().optional(),
              resources: z.array(SyncResultResource).optional(),
            })
            .optional(),
        })
        .optional(),
      reconciledAt: z.string().optional(),
    })
    .default({}),
});
export type Application = z.infer<typeof Application>;

const API = '/apis/argoproj.io/v1alpha1';

/**
 * Whether a run that may see `visible` may look into or act on the application: the Application
 * object lives in Argo CD's namespace, but what it shows and changes is where it deploys, so that
 * namespace must be one the run may see. Unset or `*`: every namespace.
 */
export function deploysWithin(app: Application, visible: readonly string[] | undefined): boolean {
  if (visible === undefined || visible.includes('*')) return true;
  const namespace = app.spec.destination?.namespace;
  return namespace !== undefined && namespace !== '' && inScope(visible, namespace);
}

/** The application, if the run may see where it deploys; refused with the reason otherwise. */
export async function readVisibleApplication(
  context: { cluster: Cluster; namespaces?: readonly string[] | undefined },
  namespace: string,
  name: string,
): Promise<Application> {
  const app = await readApplication(context.cluster, namespace, name);
  if (!deploysWithin(app, context.namespaces)) {
    const where = app.spec.destination?.namespace;
    throw new CoxswainError(
      'usage',
      `application ${namespace}/${name} deploys to ${where ? `namespace ${where}` : 'no single namespace'}, outside what this channel may see (${context.namespaces?.join(', ')})`,
    );
  }
  return app;
}

export async function readApplication(
  cluster: Cluster,
  namespace: string,
  name: string,
): Promise<Application> {
  const path = `${API}/namespaces/${encodeURIComponent(namespace)}/applications/${encodeURIComponent(name)}`;
  let body: unknown;
  try {
    body = await cluster.json('GET', path);
  } catch (error) {
    const wrapped =
      error instanceof CoxswainError
        ? error
        : wrapKubernetesError(error, { verb: 'get', resource: 'applications', namespace, name });
    if (wrapped instanceof KubernetesError && wrapped.status === 404)
      throw new CoxswainError(
        'kubernetes_api',
        `no Argo CD application ${name} in namespace ${namespace}`,
      );
    throw wrapped;
  }
  return parsed(body, `application ${namespace}/${name}`);
}

/** Every namespace's Applications when `namespace` is undefined. */
export async function listApplications(
  cluster: Cluster,
  namespace: string | undefined,
): Promise<Application[]> {
  const path =
    namespace === undefined
      ? `${API}/applications`
      : `${API}/namespaces/${encodeURIComponent(namespace)}/applications`;
  let body: unknown;
  try {
    body = await cluster.json('GET', path);
  } catch (error) {
    if (error instanceof CoxswainError) throw error;
    throw wrapKubernetesError(error, {
      verb: 'list',
      resource: 'applications',
      ...(namespace === undefined ? {} : { namespace }),
    });
  }
  const items = (body as { items?: unknown[] } | undefined)?.items ?? [];
  return items.map((item, i) =>
    parsed(item, `applications[${i}] in ${namespace ?? 'every namespace'}`),
  );
}

function parsed(body: unknown, what: string): Application {
  const result = Application.safeParse(body);
  if (!result.success)
    throw new CoxswainError(
      'kubernetes_api',
      `${what} is not an Argo CD application this version reads: ${result.error.issues[0]?.message ?? 'invalid'}`,
    );
  return result.data;
}

/** A commit id as people read it: its first 7 characters. */
export function short(revision: string | undefined): string {
  if (revision === undefined || revision === '') return '-';
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision;
}

/** `automated (prune, self-heal)` or `manual`. */
export function syncPolicyText(app: Application): string {
  const automated = app.spec.syncPolicy?.automated;
  if (automated === undefined || automated === null) return 'manual';
  const parts = [automated.prune ? 'prune' : '', automated.selfHeal ? 'self-heal' : ''].filter(
    Boolean,
  );
  return parts.length === 0 ? 'automated' : `automated (${parts.join(', ')})`;
}

/** `apps/Deployment storefront/cart`. */
export function resourceLabel(r: {
  group?: string | undefined;
  kind: string;
  namespace?: string | undefined;
  name: string;
}): string {
  const group = r.group ? `${r.group}/` : '';
  return `${group}${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}
