import { z } from 'zod';
import { ChannelRef } from '../shared/channel.ts';
import { isRe2 } from '../shared/label-match.ts';
import { GitOps } from './gitops-schema.ts';
import { DEFAULT_MODEL_IDS, ModelIds } from './model-ids.ts';
import { Autonomy, Binding, DEFAULT_AUTONOMY, Identity } from './policy-schema.ts';

/** A label's matcher: equal to a string, or matching an RE2 regex over the whole value. */
const LabelMatcher = z.union([
  z.string(),
  z.strictObject({
    regex: z
      .string()
      .refine(isRe2, 'is not a regular expression (RE2 syntax: no lookarounds or backreferences)'),
  }),
]);

/**
 * An alert route, as Alertmanager's: every label in `match` must match the group's common labels
 * (an empty match takes all). The first matching route takes the group, unless it says
 * `continue: true`, when the routes after it are tried too.
 */
export const Route = z.strictObject({
  match: z.record(z.string(), LabelMatcher).default({}),
  channels: z.array(ChannelRef).min(1, 'must name at least one channel'),
  continue: z.boolean().default(false),
});
export type Route = z.infer<typeof Route>;

/** A cluster the bot may reach: by kubeconfig context, kubeconfig file, or in-cluster credentials. */
/**
 * A user name the API server can impersonate: a ServiceAccount's
 * (`system:serviceaccount:NAMESPACE:NAME`) or a plain user's; the cluster's other `system:` users
 * are its own components, never a bot's write identity.
 */
const KubernetesUser = z
  .string()
  .regex(
    /^(system:serviceaccount:[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?:[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?|(?!system:)[A-Za-z0-9][A-Za-z0-9@._:+-]{0,252})$/,
    'must be a Kubernetes user name such as system:serviceaccount:coxswain:coxswain-writer',
  );

export const ClusterEntry = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a lower-case name such as prod'),
    context: z.string().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
    inCluster: z.boolean().optional(),
    /** How long one API call may take before it is abandoned as failed. */
    timeoutSeconds: z.number().int().min(1).max(600).optional(),
    /** Where this cluster's alerts go when no route takes them (a `cluster` label names it). */
    alertChannel: ChannelRef.optional(),
    /**
     * The Kubernetes user every write (and the dry run of one) impersonates, so that writes have
     * only the rights `coxswain rbac` grants that identity; reads keep the credentials' own.
     */
    writeAs: KubernetesUser.optional(),
  })
  .refine(
    (c) => !(c.inCluster === true && (c.context !== undefined || c.kubeconfig !== undefined)),
    {
      message: 'inCluster cannot be combined with context or kubeconfig',
    },
  );
export type ClusterEntry = z.infer<typeof ClusterEntry>;

/** Limits on what the agents may spend: per run, and per channel per day. */
export const Budgets = z.strictObject({
  runTurns: z.number().int().min(1).max(100).default(12),
  runTokens: z.number().int().min(1000).default(400_000),
  runCostUsd: z.number().positive().default(2),
  channelDailyCostUsd: z.number().positive().default(20),
});
export type Budgets = z.infer<typeof Budgets>;

/** The optional YAML file named by COXSWAIN_CONFIG. Unknown keys are refused to catch typos. */
export const ConfigFile = z.strictObject({
  clusters: z.array(ClusterEntry).default([]),
  bindings: z.array(Binding).default([]),
  /** Each person's accounts across platforms, so that approvals know them as one person. */
  people: z.array(Identity).default([]),
  autonomy: Autonomy.default(DEFAULT_AUTONOMY),
  /** Model id for each tier (haiku, sonnet, opus). */
  models: ModelIds.default(DEFAULT_MODEL_IDS),
  budgets: Budgets.default(Budgets.parse({})),
  routes: z.array(Route).default([]),
  /**
   * Alerts about one subject (a workload, a node) share one investigation while it runs and for
   * this long after it started; 0 gives every group its own.
   */
  investigations: z
    .strictObject({ freshMinutes: z.number().int().min(0).max(1_440).default(15) })
    .default({ freshMinutes: 15 }),
  /** The GitOps repository for the git-operator; unset: it has no repository tools. */
  gitops: GitOps.optional(),
});
export type ConfigFile = z.infer<typeof ConfigFile>;
