import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Alert, type AlertmanagerPayload } from './schema.ts';

/**
 * Each alert group as it stands, in Redis: every alert Alertmanager has sent for the group (by
 * fingerprint), each as of its latest event by the alert's own timestamps: a firing counts from
 * its start, a resolution from its end. A notification that arrives late (a "firing" sent before
 * a "resolved" but delivered after it) changes nothing, whatever order the webhook saw them in.
 * The group's message is rendered from this state, so every notification, repeat or late, gives
 * the message the group should show.
 */
const KEEP_SECONDS = 7 * 86_400;

/**
 * KEYS: the group's hash. ARGV: ttl, then fingerprint, order, alert JSON for each alert. The
 * hash's `#revision` counts the merges that changed something: it is the message's version, so
 * each newer state of the group has a higher one.
 */
const MERGE = `
local changed = false
for i = 2, #ARGV, 3 do
  local current = redis.call('hget', KEYS[1], ARGV[i])
  local order = tonumber(ARGV[i + 1])
  local kept = current and tonumber(string.match(current, '^(-?%d+)|')) or -math.huge
  local value = ARGV[i + 1] .. '|' .. ARGV[i + 2]
  if order >= kept and current ~= value then
    redis.call('hset', KEYS[1], ARGV[i], value)
    changed = true
  end
end
if changed then redis.call('hincrby', KEYS[1], '#revision', 1) end
redis.call('expire', KEYS[1], ARGV[1])
return redis.call('hgetall', KEYS[1])
`;

export type GroupState = {
  /** The group's alerts as they stand, firing first, in a stable order. */
  alerts: Alert[];
  /** How many merges changed the group: a later state always has a higher version. */
  version: number;
};

/** When an alert's latest event happened: its end once resolved, else its start. */
export function eventTime(alert: Pick<Alert, 'status' | 'startsAt' | 'endsAt'>): number {
  const start = Date.parse(alert.startsAt);
  if (alert.status !== 'resolved') return start;
  const end = alert.endsAt === undefined ? Number.NaN : Date.parse(alert.endsAt);
  // A resolution is later than the firing it ends, even with a clock that says otherwise.
  return Number.isNaN(end) || end <= start ? start + 1 : end;
}

/** A short, stable name for a group: Alertmanager's group keys are long and hold any label. */
export function groupId(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex').slice(0, 24);
}

export class AlertGroups {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Merges a notification into its group and returns the group as it stands. */
  async merge(payload: Pick<AlertmanagerPayload, 'groupKey' | 'alerts'>): Promise<GroupState> {
    const args = payload.alerts.flatMap((alert) => [
      alert.fingerprint,
      String(eventTime(alert)),
      JSON.stringify(alert),
    ]);
    const values = (await this.#redis.eval(
      MERGE,
      1,
      `${this.#prefix}:alert-group:${groupId(payload.groupKey)}`,
      String(KEEP_SECONDS),
      ...args,
    )) as string[];
    return stateOf(values);
  }
}

function stateOf(flat: readonly string[]): GroupState {
  let version = 0;
  const alerts: Alert[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i] ?? '';
    const value = flat[i + 1] ?? '';
    if (field === '#revision') {
      version = Number(value) || 0;
      continue;
    }
    const at = value.indexOf('|');
    const parsed = Alert.safeParse(JSON.parse(value.slice(at + 1)));
    if (parsed.success) alerts.push(parsed.data);
  }
  alerts.sort(
    (a, b) =>
      Number(b.status === 'firing') - Number(a.status === 'firing') ||
      a.startsAt.localeCompare(b.startsAt) ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
  return { alerts, version };
}
