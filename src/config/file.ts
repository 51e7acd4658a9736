import { z } from 'zod';
import { ChannelRef } from '../queue/channel.ts';

/** An alert route: every label in `match` must equal the alert's label. An empty match takes all. */
export const Route = z.strictObject({
  match: z.record(z.string(), z.string()).default({}),
  channels: z.array(ChannelRef).min(1, 'must name at least one channel'),
});
export type Route = z.infer<typeof Route>;

/** The optional YAML file named by COXSWAIN_CONFIG. Unknown keys are refused to catch typos. */
export const ConfigFile = z.strictObject({
  routes: z.array(Route).default([]),
});
export type ConfigFile = z.infer<typeof ConfigFile>;
