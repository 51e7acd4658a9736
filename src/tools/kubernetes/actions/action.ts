import { z } from 'zod';

/**
 * A proposed change to a cluster, complete enough to show a person and to execute exactly as
 * shown: the target as it was read (uid and resourceVersion), the exact change, a one-line
 * summary, and the server's dry-run diff. Serialisable, so it can wait in Redis for approval.
 */
const ACTION_TYPES = [
  'scale',
  'rollout-restart',
  'set-resources',
  'delete-pod',
  'delete',
  'rollback',
  'patch',
  'argocd-sync',
  'argocd-rollback',
] as const;

export const ActionTarget = z.object({
  cluster: z.string().min(1),
  namespace: z.string().optional(),
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().min(1),
  uid: z.string().min(1),
  resourceVersion: z.string().min(1),
});
export type ActionTarget = z.infer<typeof ActionTarget>;

const PatchType = z.enum(['strategic', 'merge', 'json']);

export const Change = z.discriminatedUnion('method', [
  z.object({ method: z.literal('patch'), patchType: PatchType, body: z.unknown() }),
  z.object({ method: z.literal('delete') }),
]);
export type Change = z.infer<typeof Change>;

/** One changed field, as people read it: `path: old → new`, values redacted. */
export const FieldChange = z.object({ path: z.string(), from: z.string(), to: z.string() });
export type FieldChange = z.infer<typeof FieldChange>;

export const KubeAction = z.object({
  type: z.enum(ACTION_TYPES),
  /** What the autonomy policy calls it: scale, rollout, patch, delete. */
  verb: z.string().min(1),
  target: ActionTarget,
  change: Change,
  summary: z.string().min(1).max(300),
  /** Every field the change touches, old → new, redacted; never cut. */
  changes: z.array(FieldChange).default([]),
  /** For people: redacted; long diffs end with a note of how much more there is. */
  diff: z.string(),
  /** For execution: a hash of the whole change, which a fresh dry run must match. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** What people should know besides the change (Argo CD will revert it…), shown on its card. */
  note: z.string().max(500).optional(),
});
export type KubeAction = z.infer<typeof KubeAction>;
