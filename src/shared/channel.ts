import { z } from 'zod';

/**
 * A channel as `platform:id`, the same spelling in config files, job data and logs
 * (`web:alerts`, `slack:C0123ABCD`, `discord:1234`).
 */
const PLATFORMS = ['web', 'slack', 'discord'] as const;
export type Platform = (typeof PLATFORMS)[number];

const CHANNEL_PATTERN = /^(web|slack|discord):[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
/** Web console channels are spelled as typed after `#`, in lower case. */
export const WEB_CHANNEL_PATTERN = /^[a-z0-9][a-z0-9._-]{0,79}$/;

export const ChannelRef = z
  .string()
  .regex(CHANNEL_PATTERN, 'must be platform:channel-id with platform web, slack or discord')
  .refine((value) => !value.startsWith('web:') || WEB_CHANNEL_PATTERN.test(value.slice(4)), {
    message: 'web channel ids are lower case',
  });
export type ChannelRef = z.infer<typeof ChannelRef>;

export function channelPlatform(channel: ChannelRef): Platform {
  const platform = channel.slice(0, channel.indexOf(':'));
  return PLATFORMS.find((p) => p === platform) ?? 'web';
}

export function channelId(channel: ChannelRef): string {
  return idOf(channel);
}

/** The id in a `platform:id` reference, a channel's or a person's: `slack:U0DANA` → `U0DANA`. */
export function idOf(ref: string): string {
  return ref.slice(ref.indexOf(':') + 1);
}

export const DEFAULT_ALERT_CHANNEL: ChannelRef = 'web:alerts';
