import type { Binding, Identity } from '../config/policy-schema.ts';
import { authorise } from '../policy/authorise.ts';
import { channelPlatform } from '../shared/channel.ts';

/**
 * What a signed-in person sees in History and Status: the channels whose binding lists them as an
 * approver (by any of their ids; a web session knows no Slack groups or Discord roles, so only
 * direct ids count), and every web console channel, since the console shows those to anyone
 * signed in; with the clusters those channels are bound to, and in each cluster the namespaces
 * (globs) of those channels' bindings.
 */
export type PersonScope = {
  channels: ReadonlySet<string>;
  clusters: ReadonlySet<string>;
  namespaces: ReadonlyMap<string, readonly string[]>;
};

export function scopeOf(
  person: string,
  bindings: readonly Binding[],
  people: readonly Identity[],
): PersonScope {
  const bound = bindings.filter(
    (binding) =>
      channelPlatform(binding.channel) === 'web' ||
      authorise.approver({ channel: binding.channel, person: { id: person } }, { bindings, people })
        .allowed,
  );
  const namespaces = new Map<string, string[]>();
  for (const binding of bound)
    for (const cluster of binding.clusters)
      namespaces.set(cluster, [
        ...new Set([...(namespaces.get(cluster) ?? []), ...binding.namespaces]),
      ]);
  return {
    channels: new Set(bound.map((binding) => binding.channel)),
    clusters: new Set(bound.flatMap((binding) => binding.clusters)),
    namespaces,
  };
}
