import type { Route } from '../config/index.ts';
import { type ChannelRef, DEFAULT_ALERT_CHANNEL } from '../shared/channel.ts';

/**
 * The channels an alert group goes to: those of every route whose matchers all equal the group's
 * common labels, in config order without repeats; `web:alerts` when no route matches.
 */
export function routeAlert(labels: Readonly<Record<string, string>>, routes: readonly Route[]) {
  const channels: ChannelRef[] = [];
  for (const route of routes) {
    const matches = Object.entries(route.match).every(([name, value]) => labels[name] === value);
    if (!matches) continue;
    for (const channel of route.channels) {
      if (!channels.includes(channel)) channels.push(channel);
    }
  }
  return channels.length > 0 ? channels : [DEFAULT_ALERT_CHANNEL];
}
