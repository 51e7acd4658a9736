import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
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
 * go keeps getting new fingerprints), then, if firing alerts alone are too many, the latest
 * started. The firing alerts a notification brings past the bound are counted, not kept.
 */
const MAX_KEPT_ALERTS = 1_000;
/**
 * How long after an alert's resolution was received a "firing" with a start before that
 * resolution is a new firing, not a late one. Prometheus, restarted, restores an alert's start
 * and sends it again; Alertmanager sends it at the group's next flush, a group interval (5 minutes
 * by default) or more after the resolution. A genuinely late firing (a retry, or an Alertmanager
 * replica behind its peer) was sent before the resolution or within moments of it.
 */
export const REFIRE_AFTER_MS = 5 * 60_000;

/**
 * KEYS: the group's hash, the alerts-per-hour hash. ARGV: ttl, receive time (ms), refire window
 * (ms), then field, order, hour, status and alert JSON for each alert. Each alert is kept as
 * `order|received|JSON` (older records as `order|JSON`). Fields starting with a single `#` are the
 * group's own: `#revision` is the message's version, raised on every merge that changes something
 * to at least the server's clock in microseconds, so a group that expired and comes back carries
 * on above every version it had. An alert that starts firing (new, or firing again after it
 * resolved) and is kept counts in the hour it started. Returns how many firing alerts of this
 * notification the group could not keep, then the group's hash.
 */
const MERGE = `
local received, refire = tonumber(ARGV[2]), tonumber(ARGV[3])
local function reserved(field)
  return string.sub(field, 1, 1) == '#' and string.sub(field, 2, 2) ~= '#'
end
local function parse(stored)
  local order, rest = string.match(stored, '^(-?%d+)|(.*)$')
  local at, json = string.match(rest, '^(%d+)|(.*)$')
  if at == nil then return tonumber(order), math.huge, rest end
  return tonumber(order), tonumber(at), json
end
local function is_firing(json)
  return cjson.decode(json).status == 'firing'
end

local touched, started = {}, {}
for i = 4, #ARGV, 5 do
  local field, order, status, json = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 3], ARGV[i + 4]
  local current = redis.call('hget', KEYS[1], field)
  local write, was_firing = not current, false
  if current then
    local kept, kept_at, kept_json = parse(current)
    was_firing = is_firing(kept_json)
    if order >= kept then
      write = order ~= kept or json ~= kept_json
    elseif status == 'firing' and not was_firing and received - kept_at > refire then
      order, write = kept + 1, true
    end
  end
  if write then
    redis.call('hset', KEYS[1], field, string.format('%.0f', order) .. '|' .. ARGV[2] .. '|' .. json)
    touched[field] = current and 'updated' or 'new'
    if status == 'firing' and not was_firing then started[field] = ARGV[i + 2] end
  end
end

local changed, truncated = false, 0
if redis.call('hlen', KEYS[1]) > ${MAX_KEPT_ALERTS} then
  local resolved, firing = {}, {}
  local all = redis.call('hgetall', KEYS[1])
  for i = 1, #all, 2 do
    if not reserved(all[i]) then
      local order, _, json = parse(all[i + 1])
      table.insert(is_firing(json) and firing or resolved, {all[i], order})
    end
  end
  table.sort(resolved, function(a, b) return a[2] < b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  table.sort(firing, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] > b[1]) end)
  local excess = #resolved + #firing - ${MAX_KEPT_ALERTS}
  for i = 1, excess do
    local field = i <= #resolved and resolved[i][1] or firing[i - #resolved][1]
    redis.call('hdel', KEYS[1], field)
    if touched[field] == 'new' then touched[field] = nil else changed = true end
    started[field] = nil
  end
  for i = 4, #ARGV, 5 do
    if ARGV[i + 3] == 'firing' and redis.call('hexists', KEYS[1], ARGV[i]) == 0 then
      truncated = truncated + 1
    end
  end
end
for _, hour in pairs(started) do redis.call('hincrby', KEYS[2], hour, 1) end
if changed or next(touched) ~= nil then
  local now = redis.call('time')
  local clock = tonumber(now[1]) * 1000000 + tonumber(now[2])
  local revision = tonumber(redis.call('hget', KEYS[1], '#revision') or '0')
  redis.call('hset', KEYS[1], '#revision', string.format('%.0f', math.max(revision + 1, clock)))
end
redis.call('expire', KEYS[1], ARGV[1])
return {truncated, redis.call('hgetall', KEYS[1])}
`;

export type GroupState = {
  /** The group's alerts as they stand, firing first, in a stable order. */
  alerts: Alert[];
  /** A later state of the group always has a higher version, even after the group expired. */
  version: number;
  /** Firing alerts of the notification that the group could not keep: shown as truncated. */
  truncated: number;
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

/**
 * The hash field an alert is kept under. Fields starting with one `#` are the group's own, so a
 * fingerprint starting with `#` gets another in front (Alertmanager's are hex, but the webhook
 * takes any).
 */
function fieldOf(fingerprint: string): string {
  return fingerprint.startsWith('#') ? `#${fingerprint}` : fingerprint;
}

export class AlertGroups {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /**
   * Merges a notification, received by the bot at `receivedAt`, into its group and returns the
   * group as it stands.
   */
  async merge(
    payload: Pick<AlertmanagerPayload, 'groupKey' | 'alerts'>,
    receivedAt: Date = new Date(),
  ): Promise<GroupState> {
    const args = payload.alerts.flatMap((alert) => [
      fieldOf(alert.fingerprint),
      String(eventTime(alert)),
      String(hourOf(alert.startsAt)),
      alert.status,
      JSON.stringify(alert),
    ]);
    const [truncated, values] = (await this.#redis.eval(
      MERGE,
      2,
      `${this.#prefix}:alert-group:${groupId(payload.groupKey)}`,
      `${this.#prefix}:alerts-per-hour`,
      String(KEEP_SECONDS),
      String(receivedAt.getTime()),
      String(REFIRE_AFTER_MS),
      ...args,
    )) as [number, string[]];
    return { ...stateOf(values), truncated };
  }

  /** Keeps the labels a silence of the group would match, for its message's silence button. */
  async keepSilenceLabels(id: string, labels: Record<string, string>): Promise<void> {
    await this.#redis.set(
      `${this.#prefix}:alert-group-labels:${id}`,
      JSON.stringify(labels),
      'EX',
      KEEP_SECONDS,
    );
  }

  /** The labels kept for the group's silence button; undefined once the group is forgotten. */
  async silenceLabels(id: string): Promise<Record<string, string> | undefined> {
    const text = await this.#redis.get(`${this.#prefix}:alert-group-labels:${id}`);
    if (text === null) return undefined;
    const parsed = z.record(z.string(), z.string()).safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  }

  /** How many alerts started firing in each of the last `hours` hours, oldest first. */
  async perHour(hours: number, now: Date): Promise<{ hour: string; alerts: number }[]> {
    const key = `${this.#prefix}:alerts-per-hour`;
    const last = hourOf(now.toISOString());
    const wanted = Array.from({ length: hours }, (_, i) => last - hours + 1 + i);
    const counts = await this.#redis.hmget(key, ...wanted.map(String));
    await this.#forgetHoursOutside(key, last - HOURS_KEPT, last + FUTURE_HOURS_KEPT);
    return wanted.map((hour, i) => ({
      hour: new Date(hour * 3_600_000).toISOString(),
      alerts: Number(counts[i] ?? 0) || 0,
    }));
  }

  async #forgetHoursOutside(key: string, from: number, to: number): Promise<void> {
    const fields = await this.#redis.hkeys(key);
    const outside = fields.filter((field) => !(Number(field) >= from && Number(field) <= to));
    if (outside.length > 0) await this.#redis.hdel(key, ...outside);
  }
}

/** Hours counted for the dashboard's alerts-per-hour chart. */
const HOURS_KEPT = 31 * 24;
/** Hours ahead of the clock kept: a skewed clock's, not a start in the far future. */
const FUTURE_HOURS_KEPT = 24;

function hourOf(instant: string): number {
  return Math.floor(Date.parse(instant) / 3_600_000);
}

function stateOf(flat: readonly string[]): Omit<GroupState, 'truncated'> {
  let version = 0;
  const alerts: Alert[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i] ?? '';
    const value = flat[i + 1] ?? '';
    if (field === '#revision') version = Number(value) || 0;
    if (/^#(?!#)/.test(field)) continue;
    const parsed = Alert.safeParse(parseJson(value.replace(/^-?\d+\|(\d+\|)?/, '')));
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
