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
 * Alerts a group keeps: beyond them, the longest-resolved go first (a group whose pods come and
 * go keeps getting new fingerprints). Firing alerts are never dropped: the group's state needs them.
 */
const MAX_KEPT_ALERTS = 1_000;

/**
 * KEYS: the group's hash, the alerts-per-hour hash. ARGV: ttl, then fingerprint, order, hour and
 * alert JSON for each alert. The hash's `#revision` counts the merges that changed something: it
 * is the message's version, so each newer state of the group has a higher one. An alert that
 * starts firing (new, or firing again after it resolved) counts in the hour it started. A group
 * over its size drops its longest-resolved alerts.
 */
const MERGE = `
local function status_of(stored)
  return cjson.decode(string.sub(stored, string.find(stored, '|', 1, true) + 1)).status
end
local changed = false
for i = 2, #ARGV, 4 do
  local current = redis.call('hget', KEYS[1], ARGV[i])
  local order = tonumber(ARGV[i + 1])
  local kept = current and tonumber(string.match(current, '^(-?%d+)|')) or -math.huge
  local value = ARGV[i + 1] .. '|' .. ARGV[i + 3]
  if order >= kept and current ~= value then
    redis.call('hset', KEYS[1], ARGV[i], value)
    changed = true
    local was_firing = current and status_of(current) == 'firing'
    if status_of(value) == 'firing' and not was_firing then redis.call('hincrby', KEYS[2], ARGV[i + 2], 1) end
  end
end
if changed then redis.call('hincrby', KEYS[1], '#revision', 1) end
if redis.call('hlen', KEYS[1]) > ${MAX_KEPT_ALERTS} + 1 then
  local resolved = {}
  local all = redis.call('hgetall', KEYS[1])
  for i = 1, #all, 2 do
    if all[i] ~= '#revision' and status_of(all[i + 1]) ~= 'firing' then
      table.insert(resolved, {all[i], tonumber(string.match(all[i + 1], '^(-?%d+)|'))})
    end
  end
  table.sort(resolved, function(a, b) return a[2] < b[2] end)
  local excess = redis.call('hlen', KEYS[1]) - 1 - ${MAX_KEPT_ALERTS}
  for i = 1, math.min(excess, #resolved) do redis.call('hdel', KEYS[1], resolved[i][1]) end
end
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
      String(hourOf(alert.startsAt)),
      JSON.stringify(alert),
    ]);
    const values = (await this.#redis.eval(
      MERGE,
      2,
      `${this.#prefix}:alert-group:${groupId(payload.groupKey)}`,
      `${this.#prefix}:alerts-per-hour`,
      String(KEEP_SECONDS),
      ...args,
    )) as string[];
    return stateOf(values);
  }

  /** How many alerts started firing in each of the last `hours` hours, oldest first. */
  async perHour(hours: number, now: Date): Promise<{ hour: string; alerts: number }[]> {
    const key = `${this.#prefix}:alerts-per-hour`;
    const last = hourOf(now.toISOString());
    const wanted = Array.from({ length: hours }, (_, i) => last - hours + 1 + i);
    const counts = await this.#redis.hmget(key, ...wanted.map(String));
    await this.#forgetOldHours(key, last - HOURS_KEPT);
    return wanted.map((hour, i) => ({
      hour: new Date(hour * 3_600_000).toISOString(),
      alerts: Number(counts[i] ?? 0) || 0,
    }));
  }

  async #forgetOldHours(key: string, before: number): Promise<void> {
    const fields = await this.#redis.hkeys(key);
    const old = fields.filter((field) => Number(field) < before);
    if (old.length > 0) await this.#redis.hdel(key, ...old);
  }
}

/** Hours counted for the dashboard's alerts-per-hour chart. */
const HOURS_KEPT = 31 * 24;

function hourOf(instant: string): number {
  return Math.floor(Date.parse(instant) / 3_600_000);
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
