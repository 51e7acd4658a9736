import { z } from 'zod';
import { namespaceScope, type Tool } from '../../tool.ts';
import type { KubeContext } from '../context.ts';
import { Name, Namespace } from '../context.ts';
import type { KubeAction } from './action.ts';
import { SCALABLE } from './api-writes.ts';
import {
  proposeDelete,
  proposeDeletePod,
  proposePatch,
  proposeRestart,
  proposeRollback,
  proposeScale,
  proposeSetResources,
} from './propose.ts';

/**
 * The write tools, in the one tool shape. Each one only proposes: it reads the target, asks the
 * API server for a dry run and returns the action, which becomes a proposal for people to
 * decide on. Nothing here changes a cluster.
 */
export type ProposeTool<Input extends z.ZodType = z.ZodType> = Tool<Input, KubeContext, KubeAction>;

const writeTool = <Input extends z.ZodType>(tool: ProposeTool<Input>): ProposeTool<Input> => tool;

/** Every write tool names the namespace it changes. */
const inNamespace = (input: { namespace: string }) => namespaceScope(input.namespace);

const Quantities = z.partialRecord(z.enum(['cpu', 'memory']), z.string().max(20));

export const KUBERNETES_WRITE_TOOLS = [
  writeTool({
    name: 'scale',
    description:
      'Propose scaling a Deployment or StatefulSet to a number of replicas. Refused for what an autoscaler controls.',
    verb: 'scale',
    scope: inNamespace,
    input: z.object({
      namespace: Namespace,
      name: Name,
      kind: z.enum(SCALABLE).default('Deployment'),
      replicas: z.number().int().min(0).max(500).describe('The number of replicas wanted'),
    }),
    run: ({ cluster }, input) => proposeScale(cluster, input),
  }),
  writeTool({
    name: 'rollout_restart',
    description: "Propose a rolling restart of a Deployment's pods.",
    verb: 'rollout',
    scope: inNamespace,
    input: z.object({ namespace: Namespace, name: Name.describe('Deployment name') }),
    run: ({ cluster }, input) => proposeRestart(cluster, input),
  }),
  writeTool({
    name: 'set_resources',
    description:
      'Propose new requests and/or limits for one container of a Deployment (e.g. a higher memory limit after OOM kills).',
    verb: 'patch',
    scope: inNamespace,
    input: z.object({
      namespace: Namespace,
      name: Name.describe('Deployment name'),
      container: z.string().max(63).describe('Container name'),
      limits: Quantities.optional().describe('e.g. { "memory": "384Mi" }'),
      requests: Quantities.optional(),
    }),
    run: ({ cluster }, input) =>
      proposeSetResources(cluster, {
        namespace: input.namespace,
        name: input.name,
        container: input.container,
        ...(input.limits ? { limits: input.limits as Record<string, string> } : {}),
        ...(input.requests ? { requests: input.requests as Record<string, string> } : {}),
      }),
  }),
  writeTool({
    name: 'delete_pod',
    description: 'Propose deleting a pod (its controller creates a replacement).',
    verb: 'delete',
    scope: inNamespace,
    input: z.object({ namespace: Namespace, name: Name.describe('Pod name') }),
    run: ({ cluster }, input) => proposeDeletePod(cluster, input),
  }),
  writeTool({
    name: 'delete',
    description:
      'Propose deleting a namespaced object (a Job, a ConfigMap, a Deployment…). The autonomy policy decides which kinds may be deleted; by default only pods.',
    verb: 'delete',
    scope: inNamespace,
    input: z.object({
      namespace: Namespace,
      kind: z
        .string()
        .max(63)
        .describe(
          'Pod, Job, Deployment, StatefulSet, DaemonSet, Service, ConfigMap, HorizontalPodAutoscaler, CronJob, Ingress or Application',
        ),
      name: Name,
    }),
    run: ({ cluster }, input) => proposeDelete(cluster, input),
  }),
  writeTool({
    name: 'rollback',
    description:
      'Propose rolling a Deployment back to an earlier revision (by default the one before the current).',
    verb: 'rollout',
    scope: inNamespace,
    input: z.object({
      namespace: Namespace,
      name: Name.describe('Deployment name'),
      toRevision: z.number().int().min(1).optional().describe('Revision to return to'),
    }),
    run: ({ cluster }, input) =>
      proposeRollback(cluster, {
        namespace: input.namespace,
        name: input.name,
        ...(input.toRevision === undefined ? {} : { toRevision: input.toRevision }),
      }),
  }),
  writeTool({
    name: 'patch',
    description:
      'Propose a patch of a namespaced workload or configuration object (merge or strategic merge).',
    verb: 'patch',
    scope: inNamespace,
    input: z.object({
      namespace: Namespace,
      kind: z
        .string()
        .max(63)
        .describe(
          'Deployment, StatefulSet, DaemonSet, Pod, Service, ConfigMap, HorizontalPodAutoscaler, CronJob, Ingress or Application',
        ),
      name: Name,
      patchType: z.enum(['merge', 'strategic']).default('strategic'),
      patch: z.record(z.string(), z.unknown()).describe('The patch document'),
    }),
    run: ({ cluster }, input) => proposePatch(cluster, input),
  }),
] as const satisfies readonly ProposeTool[];
