import type { Binding, Identity, Tier } from '../config/policy-schema.ts';
import type { ChannelRef } from '../shared/channel.ts';
import { idsOf, samePerson } from './people.ts';

/** Who is acting, as the platform verified them. */
export type Person = {
  /** `slack:U0LEAD`, `discord:1234`, `web:dana`. */
  id: string;
  /** Slack user groups or Discord roles, already prefixed: `slack:group:S0SRE`, `discord:role:1234`. */
  memberOf?: readonly string[];
};

type Decision = { allowed: true } | { allowed: false; reason: string };

const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

export function bindingFor(channel: ChannelRef, bindings: readonly Binding[]): Binding | undefined {
  return bindings.find((binding) => binding.channel === channel);
}

/** Whether a channel may act on a cluster and namespace at a tier: every refusal says why. */
export function mayRun(
  binding: Binding | undefined,
  target: { cluster: string; namespace?: string },
  tier: Tier,
): Decision {
  if (binding === undefined) {
    return deny(
      'this channel has no binding: an operator must bind it to clusters and namespaces first',
    );
  }
  if (tier === 'forbidden') return deny('this action is forbidden by the autonomy policy');
  if (tier === 'confirm' && binding.maxTier === 'safe') {
    return deny('this channel may only run safe (read-only) actions');
  }
  if (!binding.clusters.includes(target.cluster)) {
    return deny(`this channel is not bound to cluster ${target.cluster}`);
  }
  if (
    target.namespace !== undefined &&
    !binding.namespaces.some((glob) => globMatches(glob, target.namespace ?? ''))
  ) {
    return deny(`this channel is not bound to namespace ${target.namespace}`);
  }
  return allow;
}

/**
 * Whether the binding names `person` as an approver: by any of their ids (`people` in the config
 * joins a person's accounts across platforms), or by a group or role the clicking platform says
 * they are in. A platform that knows no groups (the web) matches direct ids only.
 */
export function listsApprover(
  binding: Binding | undefined,
  person: Person,
  people: readonly Identity[],
): boolean {
  const refs = new Set([...idsOf(person.id, people), ...(person.memberOf ?? [])]);
  return binding?.approvers.some((approver) => refs.has(approver)) ?? false;
}

/**
 * Whether `person` may approve a proposal raised in this binding's channel by `requester`
 * (a person's id, or for a proposal raised by an alert, the alert's). Whoever asked is refused
 * under any of their ids: asking on Slack and approving on the dashboard is still self-approval.
 */
export function mayApprove(
  binding: Binding | undefined,
  person: Person,
  requester: string,
  people: readonly Identity[],
): Decision {
  if (binding === undefined) return deny('this channel has no binding, so nobody here can approve');
  if (!listsApprover(binding, person, people)) {
    return deny('you are not an approver for this channel');
  }
  if (samePerson(person.id, requester, people) && !binding.allowSelfApproval) {
    return deny('you asked for this change; someone else must approve it');
  }
  return allow;
}

/** `*` matches any run of characters, `?` one; everything else matches itself. */
export function globMatches(glob: string, value: string): boolean {
  let pattern = '';
  for (const char of glob) {
    if (char === '*') pattern += '.*';
    else if (char === '?') pattern += '.';
    else pattern += char.replace(/[.+^${}()|[\]\\-]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`).test(value);
}

/**
 * Whether a channel's binding covers what an alert is about: its cluster (the alert's, or the
 * binding's only one when the alert names none) and its namespace. Only such a channel is shown
 * what was read and done about the alert.
 */
export function coversAlert(
  channel: ChannelRef,
  about: { cluster?: string | undefined; namespace?: string | undefined },
  bindings: readonly Binding[],
): boolean {
  const binding = bindingFor(channel, bindings);
  if (binding === undefined) return false;
  const cluster =
    about.cluster ?? (binding.clusters.length === 1 ? binding.clusters[0] : undefined);
  if (cluster === undefined || !binding.clusters.includes(cluster)) return false;
  const namespace = about.namespace;
  return namespace === undefined || binding.namespaces.some((glob) => globMatches(glob, namespace));
}
