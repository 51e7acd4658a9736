import { z } from 'zod';
import { ChannelRef } from '../shared/channel.ts';

/**
 * The policy parts of the config file (`clusters`, `bindings`, `autonomy`), as the user-facing
 * contract of DESIGN §4 has them.
 */
const TIERS = ['safe', 'confirm', 'forbidden'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * An action verb as the policy names it: `get`, `scale`, a verb with a kind, `delete pod`, or a
 * verb with every kind not named elsewhere, `delete *`.
 */
const Verb = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z]+( ([a-z]+|\*))?$/,
    'must be a verb, optionally followed by a kind ("delete pod") or * ("delete *")',
  );

/**
 * Where one verb is in two tiers, the stricter one applies: forbidden, then confirm, then safe.
 * The defaults are the seed's, in the verbs the tools produce: deleting is forbidden for every
 * kind but a pod (which its controller replaces).
 */
export const Autonomy = z.strictObject({
  safe: z.array(Verb).default(['get', 'describe', 'logs', 'list', 'top', 'diff']),
  confirm: z
    .array(Verb)
    .default([
      'delete pod',
      'patch',
      'edit',
      'scale',
      'rollout',
      'apply',
      'sync',
      'silence',
      'commit',
    ]),
  forbidden: z.array(Verb).default(['delete *', 'patch node', 'drain', 'cordon', 'reset']),
});
export type Autonomy = z.infer<typeof Autonomy>;
export const DEFAULT_AUTONOMY: Autonomy = Autonomy.parse({});

/** A workflow's own settings: may lower confirm to safe, or raise safe to confirm, by verb. */
export const WorkflowAutonomy = z.strictObject({
  auto_approve: z.array(Verb).default([]),
  always_confirm: z.array(Verb).default([]),
});
export type WorkflowAutonomy = z.infer<typeof WorkflowAutonomy>;

/** `slack:U0LEAD`, `slack:group:S0SRE`, `discord:role:1234`, `web:dana`. */
const ApproverRef = z
  .string()
  .regex(
    /^(slack:(group:)?[A-Z0-9]{2,}|discord:(role:)?\d{1,25}|web:[A-Za-z0-9._-]{1,40})$/,
    'must be slack:USER, slack:group:GROUP, discord:USER, discord:role:ROLE or web:NAME',
  );

/**
 * One account of a person: `slack:U…`, `discord:ID` or `web:NAME`. Never a group or a role: a
 * person is who they are, not what they belong to.
 */
const PersonId = z
  .string()
  .regex(
    /^(slack:[A-Z0-9]{2,}|discord:\d{1,25}|web:[A-Za-z0-9._-]{1,40})$/,
    'must be slack:USER, discord:USER or web:NAME (a person, not a group or role)',
  );

/**
 * A person and their accounts on every platform (`people` in the config file): the approver and
 * self-approval rules count any of them as that person.
 */
export const Identity = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, 'must be a lower-case name'),
  ids: z.array(PersonId).min(1, 'must list at least one id'),
});
export type Identity = z.infer<typeof Identity>;

export const Binding = z.strictObject({
  channel: ChannelRef,
  clusters: z.array(z.string().min(1)).min(1, 'must name at least one cluster'),
  namespaces: z
    .array(z.string().regex(/^[a-z0-9*?][a-z0-9*?-]*$/, 'must be a namespace or a glob'))
    .default(['*']),
  maxTier: z.enum(['safe', 'confirm'], { error: 'must be safe or confirm' }).default('safe'),
  approvers: z.array(ApproverRef).default([]),
  allowSelfApproval: z.boolean().default(false),
});
export type Binding = z.infer<typeof Binding>;
