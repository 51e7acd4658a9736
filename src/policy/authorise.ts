import type {
  Autonomy,
  Binding,
  Identity,
  Tier,
  WorkflowAutonomy,
} from '../config/policy-schema.ts';
import type { Command } from '../queue/command-data.ts';
import type { ChannelRef } from '../shared/channel.ts';
import { bindingFor, listsApprover, mayApprove, mayRun, type Person } from './bindings.ts';
import { commandScope, inScope } from './command-scope.ts';
import { samePerson } from './people.ts';
import { tierOf } from './tiers.ts';

/**
 * Every who-may-do-what question has its answer here: run a command in a channel, ask there,
 * read a namespace with a tool, propose or offer an action at its tier, decide a card, execute
 * an approved change, turn the suspend switch, rate an answer. Each answer is allowed (with what it allows) or refused with the reason a
 * person is shown. What each question needs is required: leaving a dependency out never skips
 * a check. Callers pass plain data, never records of higher layers.
 */

export type { Person };

type Refusal = { allowed: false; reason: string };
type Answer<T extends object = object> = ({ allowed: true } & T) | Refusal;

const allow = { allowed: true } as const;
const refuse = (reason: string): Refusal => ({ allowed: false, reason });

/** The bindings, and the cluster names a refusal may offer an operator. */
type ChannelPolicy = { bindings: readonly Binding[]; clusters: readonly string[] };

/** The bindings and who is who across platforms, for approver questions. */
type ApproverPolicy = { bindings: readonly Binding[]; people: readonly Identity[] };

/** Where a run may look and at which tier it may propose. */
type RunScope = { cluster: string; namespaces: readonly string[]; maxTier: MaxTier };
export type MaxTier = Binding['maxTier'];

/** What a tool call says it touches: a cluster, and named namespaces or all of them. */
type ReadScope = {
  cluster?: string | undefined;
  namespaces: readonly string[] | 'all';
  reason?: string | undefined;
};

/** What an action does and where, as far as the policy cares. */
type ActionFacts = {
  summary: string;
  verb: string;
  target: { kind: string; cluster: string; namespace?: string | undefined };
};

/** Run a command (a skill) in this channel: the scope it may read in, or why not. */
function command(
  question: { channel: ChannelRef; command: Command },
  policy: ChannelPolicy,
): Answer<{ cluster: string; namespaces: readonly string[]; namespace?: string }> {
  const binding = bindingFor(question.channel, policy.bindings);
  return commandScope(question.command, binding, policy.clusters, question.channel);
}

/** Ask the orchestrator in this channel, on `cluster` (the binding's first when unset). */
function ask(
  question: { channel: ChannelRef; cluster: string | undefined },
  policy: Pick<ChannelPolicy, 'bindings'>,
):
  | { allowed: true; cluster: string; namespaces: readonly string[] }
  | (Refusal & { headline: string }) {
  const binding = bindingFor(question.channel, policy.bindings);
  const chosen = question.cluster ?? binding?.clusters[0];
  if (binding === undefined || chosen === undefined)
    return {
      ...refuse(
        `this channel (${question.channel}) has no binding, so I can only answer help here. An operator can add one to the config file (COXSWAIN_CONFIG) under bindings:.`,
      ),
      headline: 'I cannot answer questions here',
    };
  if (!binding.clusters.includes(chosen))
    return {
      ...refuse(`this channel is bound to ${binding.clusters.join(', ')}`),
      headline: `I cannot run that on cluster ${chosen}`,
    };
  return { ...allow, cluster: chosen, namespaces: binding.namespaces };
}

/** A workflow's namespace input, checked like `-n` on any command (no binding: asking decides). */
function workflowNamespace(
  question: { channel: ChannelRef; namespace: string | undefined },
  policy: Pick<ChannelPolicy, 'bindings'>,
): Answer {
  const binding = bindingFor(question.channel, policy.bindings);
  const namespace = question.namespace;
  if (binding !== undefined && namespace !== undefined && !inScope(binding.namespaces, namespace))
    return refuse(
      `this channel is not bound to namespace ${namespace} (bound: ${binding.namespaces.join(', ')})`,
    );
  return allow;
}

/**
 * Whether a channel is still bound to the cluster a run was queued for, and the scope it has
 * now (config may have changed since), never wider than the namespaces it was queued for when
 * those are names the binding covers. No channel (a run from the command line): as queued.
 */
function stillBound(
  question: { channel: ChannelRef | undefined; cluster: string; namespaces: readonly string[] },
  policy: Pick<ChannelPolicy, 'bindings'>,
): Answer<RunScope> {
  if (question.channel === undefined)
    return {
      ...allow,
      cluster: question.cluster,
      namespaces: question.namespaces,
      maxTier: 'confirm',
    };
  const binding = bindingFor(question.channel, policy.bindings);
  if (binding === undefined || !binding.clusters.includes(question.cluster))
    return refuse(
      'This channel is no longer bound to that cluster, so I stopped. An operator can bind it in the config file.',
    );
  // A run queued for named namespaces the binding still covers (an alert's investigation) keeps
  // to them; otherwise it gets the binding's scope as it is now.
  const narrowed =
    question.namespaces.length > 0 &&
    question.namespaces.every((ns) => !/[*?[]/.test(ns) && inScope(binding.namespaces, ns));
  return {
    ...allow,
    cluster: question.cluster,
    namespaces: narrowed ? question.namespaces : binding.namespaces,
    maxTier: binding.maxTier,
  };
}

/**
 * Read with a tool in a run: refused when the call reaches another cluster or, with a partial
 * binding, anything but the namespaces it covers (cluster-wide listings would show the rest).
 */
function read(
  question: { tool: string; scope: ReadScope },
  run: Pick<RunScope, 'cluster' | 'namespaces'>,
): Answer {
  const { tool, scope } = question;
  if (scope.cluster !== undefined && scope.cluster !== run.cluster)
    return refuse(`${tool} reaches cluster ${scope.cluster}; this run is on ${run.cluster}`);
  const visible = run.namespaces;
  if (visible.includes('*')) return allow;
  const seen = visible.join(', ');
  if (scope.namespaces === 'all')
    return refuse(
      scope.reason === undefined
        ? `${tool} needs a namespace here: this channel may see ${seen}`
        : `${scope.reason}; this channel may see ${seen}`,
    );
  const outside = scope.namespaces.find((namespace) => !inScope(visible, namespace));
  if (outside !== undefined)
    return refuse(`namespace ${outside} is outside what this channel may see (${seen})`);
  return allow;
}

/**
 * Propose an action in a run: refused when its verb and kind are forbidden, or it needs more than
 * the channel's highest tier. Judged on the built action, whose target kind is known.
 */
function propose(
  question: { action: ActionFacts },
  policy: { autonomy: Autonomy; maxTier: MaxTier },
): Answer<{ tier: Tier }> {
  const { action } = question;
  const tier = tierOf({ verb: action.verb, kind: action.target.kind }, policy.autonomy);
  if (tier === 'forbidden')
    return refuse(`${action.summary}: forbidden by the autonomy policy; it cannot be proposed`);
  if (tier === 'confirm' && policy.maxTier === 'safe')
    return refuse(
      `${action.summary}: this channel may only run safe (read-only) actions, so it cannot be proposed here`,
    );
  return { ...allow, tier };
}

/**
 * A change a workflow step proposes: who decides it. A person, when the policy (with the
 * workflow's `always_confirm`) says confirm or the step asks for a confirm gate; the workflow
 * itself (`auto`), when the policy says safe or the workflow's `auto_approve` lowers confirm to
 * safe. Only a channel bound at the confirm tier gets either; forbidden stays forbidden.
 */
function workflowChange(
  question: { action: ActionFacts; confirm: boolean; workflow: WorkflowAutonomy },
  policy: { autonomy: Autonomy; maxTier: MaxTier },
): Answer<{ approval: 'person' | 'auto' }> {
  const { action } = question;
  const facts = { verb: action.verb, kind: action.target.kind };
  const base = tierOf(facts, policy.autonomy);
  if (base === 'forbidden')
    return refuse(`${action.summary}: forbidden by the autonomy policy; no workflow can run it`);
  // A channel bound at the safe tier changes nothing through a workflow, whoever would decide.
  if (policy.maxTier === 'safe')
    return refuse(
      `${action.summary}: this channel may only run safe (read-only) actions, so a workflow cannot change anything here`,
    );
  const tier = tierOf(facts, policy.autonomy, question.workflow);
  if (question.confirm || tier === 'confirm') return { ...allow, approval: 'person' };
  return { ...allow, approval: 'auto' };
}

/** Offer a command's fix in its channel: the binding must reach its cluster, namespace and tier. */
function offer(
  question: { channel: ChannelRef; action: ActionFacts },
  policy: { bindings: readonly Binding[]; autonomy: Autonomy },
): Answer<{ tier: Tier }> {
  const { target } = question.action;
  const tier = tierOf({ verb: question.action.verb, kind: target.kind }, policy.autonomy);
  const decision = mayRun(
    bindingFor(question.channel, policy.bindings),
    {
      cluster: target.cluster,
      ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
    },
    tier,
  );
  return decision.allowed ? { ...allow, tier } : decision;
}

/** Whether the card's channel lists `person` as an approver: what the dashboard shows and lets them decide. */
function approver(
  question: { channel: ChannelRef; person: Person },
  policy: ApproverPolicy,
): Answer {
  return listsApprover(
    bindingFor(question.channel, policy.bindings),
    question.person,
    policy.people,
  )
    ? allow
    : refuse('you are not an approver for the channel of this proposal');
}

/**
 * Decide a card: an approver of its channel who did not ask for it (unless the binding allows
 * that); the person who asked may always withdraw (reject) their own proposal.
 */
function decide(
  question: {
    verdict: 'approve' | 'reject';
    person: Person;
    channel: ChannelRef;
    requester: string;
  },
  policy: ApproverPolicy,
): Answer {
  const { person, requester } = question;
  if (question.verdict === 'reject' && samePerson(person.id, requester, policy.people))
    return allow;
  return mayApprove(
    bindingFor(question.channel, policy.bindings),
    person,
    requester,
    policy.people,
  );
}

/**
 * Execute an approved change now: the bot's checks made again, since the binding may have
 * changed since the click: the channel still reaches the target at its tier, and the approval
 * still holds.
 */
function execute(
  question: {
    channel: ChannelRef;
    requester: string;
    decidedBy: string | undefined;
    decidedVia: readonly string[] | undefined;
    action: ActionFacts;
    /** Approved by its workflow's `auto_approve` (or a safe tier), not by a person. */
    autoApproved?: boolean;
  },
  policy: ApproverPolicy & { autonomy: Autonomy },
): Answer {
  if (question.decidedBy === undefined) return refuse('nobody approved it');
  const binding = bindingFor(question.channel, policy.bindings);
  const { target } = question.action;
  const tier = tierOf({ verb: question.action.verb, kind: target.kind }, policy.autonomy);
  const scope = mayRun(
    binding,
    { cluster: target.cluster, ...(target.namespace ? { namespace: target.namespace } : {}) },
    tier,
  );
  if (!scope.allowed) return refuse(`no longer allowed: ${scope.reason}`);
  if (question.autoApproved === true) return allow;
  const approval = mayApprove(
    binding,
    {
      id: question.decidedBy,
      ...(question.decidedVia === undefined ? {} : { memberOf: question.decidedVia }),
    },
    question.requester,
    policy.people,
  );
  if (!approval.allowed) return refuse(`the approval no longer holds: ${approval.reason}`);
  return allow;
}

/**
 * Rate an answer or a report posted in this channel: anyone in a bound channel (no approver role
 * needed); a channel no longer bound takes no feedback, as it takes no questions.
 */
function feedback(
  question: { channel: ChannelRef },
  policy: Pick<ChannelPolicy, 'bindings'>,
): Answer {
  return bindingFor(question.channel, policy.bindings) === undefined
    ? refuse(`this channel (${question.channel}) is not bound to the bot any more`)
    : allow;
}

/** Turn the suspend switch: an approver of any channel, by any of their ids. */
function suspend(question: { person: Person }, policy: ApproverPolicy): Answer {
  return policy.bindings.some((binding) => listsApprover(binding, question.person, policy.people))
    ? allow
    : refuse('only an approver of some channel may suspend or resume writes');
}

/** The one place each who-may-do-what question is answered. */
export const authorise = {
  command,
  ask,
  workflowNamespace,
  stillBound,
  read,
  propose,
  workflowChange,
  offer,
  approver,
  decide,
  execute,
  suspend,
  feedback,
} as const;
