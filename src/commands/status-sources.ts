import { z } from 'zod';

/**
 * The collections `readClusterHealth` lists, and of each object the fields it reads (it reads
 * the objects through these schemas): what an object's change must touch to change a cluster's
 * health. A node's heartbeat, a condition's
 * timestamp or a new annotation leaves these equal, and need not be read again. Kept next to
 * `status.ts`, whose reading they follow: a field it starts to read belongs here too.
 */
const Metadata = z.object({
  namespace: z.string().optional(),
  name: z.string().optional(),
  deletionTimestamp: z.string().optional(),
});
const Condition = z.object({ type: z.string(), status: z.string(), reason: z.string().optional() });

export const NodeFacts = z.object({
  metadata: Metadata,
  spec: z.object({ unschedulable: z.boolean().optional() }).optional(),
  status: z.object({ conditions: z.array(Condition).optional() }).optional(),
});

const ContainerFacts = z.object({
  ready: z.boolean().optional(),
  restartCount: z.number().optional(),
  state: z
    .object({
      waiting: z.object({ reason: z.string().optional() }).optional(),
      running: z.object({}).optional(),
      terminated: z
        .object({ reason: z.string().optional(), exitCode: z.number().optional() })
        .optional(),
    })
    .optional(),
});

export const PodFacts = z.object({
  metadata: Metadata,
  spec: z.object({ nodeName: z.string().optional() }).optional(),
  status: z
    .object({
      phase: z.string().optional(),
      reason: z.string().optional(),
      conditions: z.array(Condition).optional(),
      containerStatuses: z.array(ContainerFacts).optional(),
    })
    .optional(),
});

export const DeploymentFacts = z.object({
  metadata: Metadata,
  spec: z.object({ replicas: z.number().optional() }).optional(),
  status: z
    .object({
      availableReplicas: z.number().optional(),
      updatedReplicas: z.number().optional(),
      conditions: z.array(Condition).optional(),
    })
    .optional(),
});

export type NodeFacts = z.infer<typeof NodeFacts>;
export type PodFacts = z.infer<typeof PodFacts>;
export type DeploymentFacts = z.infer<typeof DeploymentFacts>;

export type StatusSource = {
  name: 'nodes' | 'pods' | 'deployments';
  /** The collection across all namespaces, as a watch or a list asks for it. */
  path: string;
  /**
   * The object's fields the health reads, as one string: equal strings, equal health. Undefined
   * for something that is not an object of the kind.
   */
  facts(object: unknown): string | undefined;
};

const factsOf =
  (schema: z.ZodType) =>
  (object: unknown): string | undefined => {
    // Parsing keeps only the declared fields, in the schema's order.
    const parsed = schema.safeParse(object);
    return parsed.success ? JSON.stringify(parsed.data) : undefined;
  };

export const STATUS_SOURCES: readonly StatusSource[] = [
  { name: 'nodes', path: '/api/v1/nodes', facts: factsOf(NodeFacts) },
  { name: 'pods', path: '/api/v1/pods', facts: factsOf(PodFacts) },
  { name: 'deployments', path: '/apis/apps/v1/deployments', facts: factsOf(DeploymentFacts) },
];
