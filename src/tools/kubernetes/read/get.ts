import { stringify } from 'yaml';
import { z } from 'zod';
import { CoxswainError } from '../../../errors.ts';
import { redactObject } from '../../../policy/redact-object.ts';
import { defineTool, namespaceScope } from '../../tool.ts';
import type { KubeContext } from '../context.ts';
import { Namespace } from '../context.ts';
import { wrapKubernetesError } from '../errors.ts';
import { age, columns, limited } from '../format.ts';

/** The API version of kinds people name without one. */
const KNOWN: Record<string, string> = {
  Pod: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Namespace: 'v1',
  Node: 'v1',
  Event: 'v1',
  ServiceAccount: 'v1',
  PersistentVolumeClaim: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Ingress: 'networking.k8s.io/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  Application: 'argoproj.io/v1alpha1',
};

const CLUSTER_SCOPED = new Set(['Namespace', 'Node']);

/** Whether `get` of this kind reads inside one namespace: a known kind that is not cluster-scoped. */
function isNamespacedKind(kind: string): boolean {
  return kind in KNOWN && !CLUSTER_SCOPED.has(kind);
}

export const getObjects = defineTool({
  name: 'get',
  description:
    'Get any object by kind and name as YAML (status included, secrets and env values never shown), or list objects of a kind with their age.',
  verb: 'get',
  scope: (input) =>
    // A cluster-scoped or unknown kind has no namespace to hold the read inside.
    isNamespacedKind(input.kind)
      ? namespaceScope(input.namespace)
      : { namespaces: 'all', reason: `get of ${input.kind} may read outside a namespace` },
  input: z.object({
    kind: z
      .string()
      .regex(/^[A-Z][A-Za-z0-9]{1,62}$/, 'must be a kind such as Deployment')
      .describe('Kind, e.g. Deployment, ConfigMap, Application'),
    apiVersion: z
      .string()
      .max(100)
      .optional()
      .describe('API version, e.g. apps/v1; needed for kinds outside the common ones'),
    name: z.string().max(253).optional().describe('Name; omit to list'),
    namespace: Namespace.optional(),
    labelSelector: z.string().max(300).optional(),
  }),
  async run({ cluster }: KubeContext, input) {
    if (input.kind === 'Secret') {
      throw new CoxswainError(
        'kubernetes_api',
        'Secrets are never read: their values must not reach chat or a model',
      );
    }
    const apiVersion = input.apiVersion ?? KNOWN[input.kind];
    if (apiVersion === undefined) {
      throw new CoxswainError(
        'kubernetes_api',
        `give the apiVersion of ${input.kind} (e.g. example.com/v1)`,
      );
    }
    const attempt = {
      verb: input.name ? 'get' : 'list',
      resource: input.kind,
      ...(input.namespace ? { namespace: input.namespace } : {}),
      ...(input.name ? { name: input.name } : {}),
    };
    if (input.name !== undefined) {
      const object = await cluster.objects
        .read({
          apiVersion,
          kind: input.kind,
          metadata: {
            name: input.name,
            ...(input.namespace ? { namespace: input.namespace } : {}),
          },
        })
        .catch((error: unknown) => {
          throw wrapKubernetesError(error, attempt);
        });
      return stringify(redactObject(object)).trimEnd();
    }
    const list = await cluster.objects
      .list(
        apiVersion,
        input.kind,
        input.namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        input.labelSelector,
      )
      .catch((error: unknown) => {
        throw wrapKubernetesError(error, attempt);
      });
    if (list.items.length === 0)
      return `no ${input.kind} objects${input.namespace ? ` in ${input.namespace}` : ''}`;
    const { shown, note } = limited(list.items, 100, 'objects');
    const rows = shown.map((o) => [
      o.metadata?.namespace ?? '-',
      o.metadata?.name ?? '',
      age(o.metadata?.creationTimestamp),
    ]);
    return columns(['NAMESPACE', 'NAME', 'AGE'], rows) + note;
  },
});
