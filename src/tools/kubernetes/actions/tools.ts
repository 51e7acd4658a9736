import { z } from 'zod';
import { parseToolInput } from '../../tool.ts';
import type { KubeContext } from '../context.ts';
import { Name, Namespace } from '../context.ts';
import type { KubeAction } from './action.ts';
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
 * The write tools as an agent sees them. Each one only proposes: it reads the target, asks the
 * API server for a dry run and returns the action, which becomes a proposal for people to
 * decide on. Nothing here changes a cluster.
 */
export type WriteTool<Input extends z.ZodType> = {
  name: string;
  description: string;
  input: Input;
  /** What the autonomy policy calls it. */
  verb: string;
  propose(context: KubeContext, input: z.infer<Input>): Promise<KubeAction>;
};

/** A write tool as callers hold it: its input arrives unchecked (from a model) and is checked here. */
export type WriteToolEntry = Omit<WriteTool<z.ZodType>, 'propose'> & {
  propose(
    context: KubeContext,
    input: unknown,
  ): Promise<{ ok: true; action: KubeAction } | { ok: false; error: string }>;
};

function writeTool<Input extends z.ZodType>(tool: WriteTool<Input>): WriteToolEntry {
  return {
    ...tool,
    async propose(context, input) {
      const parsed = parseToolInput(tool.name, tool.input, input);
      if (!parsed.ok) return parsed;
      return { ok: true, action: await tool.propose(context, parsed.data) };
    },
  };
}

const Quantities = z.partialRecord(z.enum(['cpu', 'memory']), z.string().max(20));

export const KUBERNETES_WRITE_TOOLS = [
  writeTool({
    name: 'scale',
    description:
      'Propose scaling a Deployment or StatefulSet to a number of replicas. Refused for what an autoscaler controls.',
    verb: 'scale',
    input: z.object({
      namespace: Namespace,
      name: Name,
      kind: z.enum(['Deployment', 'StatefulSet']).default('Deployment'),
      replicas: z.number().int().min(0).max(500).describe('The number of replicas wanted'),
    }),
    propose: ({ cluster }, input) => proposeScale(cluster, input),
  }),
  writeTool({
    name: 'rollout_restart',
    description: "Propose a rolling restart of a Deployment's pods.",
    verb: 'rollout',
    input: z.object({ namespace: Namespace, name: Name.describe('Deployment name') }),
    propose: ({ cluster }, input) => proposeRestart(cluster, input),
  }),
  writeTool({
    name: 'set_resources',
    description:
      'Propose new requests and/or limits for one container of a Deployment (e.g. a higher memory limit after OOM kills).',
    verb: 'patch',
    input: z.object({
      namespace: Namespace,
      name: Name.describe('Deployment name'),
      container: z.string().max(63).describe('Container name'),
      limits: Quantities.optional().describe('e.g. { "memory": "384Mi" }'),
      requests: Quantities.optional(),
    }),
    propose: ({ cluster }, input) =>
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
    input: z.object({ namespace: Namespace, name: Name.describe('Pod name') }),
    propose: ({ cluster }, input) => proposeDeletePod(cluster, input),
  }),
  writeTool({
    name: 'delete',
    description:
      'Propose deleting a namespaced object (a Job, a ConfigMap, a Deployment…). The autonomy policy decides which kinds may be deleted; by default only pods.',
    verb: 'delete',
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
    propose: ({ cluster }, input) => proposeDelete(cluster, input),
  }),
  writeTool({
    name: 'rollback',
    description:
      'Propose rolling a Deployment back to an earlier revision (by default the one before the current).',
    verb: 'rollout',
    input: z.object({
      namespace: Namespace,
      name: Name.describe('Deployment name'),
      toRevision: z.number().int().min(1).optional().describe('Revision to return to'),
    }),
    propose: ({ cluster }, input) =>
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
    propose: ({ cluster }, input) => proposePatch(cluster, input),
  }),
] as const satisfies readonly WriteToolEntry[];
