import type { ClusterEntry, Route } from '../config/index.ts';
import { type ChannelRef, DEFAULT_ALERT_CHANNEL } from '../shared/channel.ts';
import { labelsMatch } from '../shared/label-match.ts';

/** A route as the config file has it; `continue` false when left out. */
type RouteRule = Pick<Route, 'match' | 'channels'> & { continue?: boolean };

/**
 * The channels an alert group goes to, as Alertmanager routes: the routes in config order, the
 * first whose matchers all match the group's common labels taking it (with `continue: true`, the
 * ones after it are tried too), each channel once. When none matches: the default channel of the
 * cluster its `cluster` label names, else `web:alerts`.
 */
export function routeAlert(
  labels: Readonly<Record<string, string>>,
  routes: readonly RouteRule[],
  clusters: readonly Pick<ClusterEntry, 'name' | 'alertChannel'>[] = [],
): ChannelRef[] {
  const channels: ChannelRef[] = [];
  for (const route of routes) {
    if (!routeMatches(route, labels)) continue;
    for (const channel of route.channels) if (!channels.includes(channel)) channels.push(channel);
    if (route.continue !== true) break;
  }
  if (channels.length > 0) return channels;
  const own = clusters.find((c) => c.name === labels.cluster)?.alertChannel;
  return [own ?? DEFAULT_ALERT_CHANNEL];
}

/** Whether every matcher of the route matches: equal, or an RE2 regex over the whole value. */
export function routeMatches(
  route: Pick<Route, 'match'>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return labelsMatch(route.match, labels);
}
