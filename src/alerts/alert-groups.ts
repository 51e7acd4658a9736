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

/** KEYS: the group's hash. ARGV: ttl, then fingerprint, order, alert JSON for each alert. */
const MERGE = `
for i = 2, #ARGV, 3 do
  local current = redis.call('hget', KEYS[1], ARGV[i])
  local order = tonumber(ARGV[i + 1])
  local kept = current and tonumber(string.match(current, '^(%d+)|')) or -1
  if order >= kept then redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1] .. '|' .. ARGV[i + 2]) end
end
redis.call('expire', KEYS[1], ARGV[1])
return redis.call('hvals', KEYS[1])
`;

export type GroupState = {
  /** The group's alerts as they stand, firing first, in a stable order. */
  alerts: Alert[];
  /** The latest event among them (ms): later states of the group have higher versions. */
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

function stateOf(values: readonly string[]): GroupState {
  let version = 0;
  const alerts: Alert[] = [];
  for (const value of values) {
    const at = value.indexOf('|');
    const parsed = Alert.safeParse(JSON.parse(value.slice(at + 1)));
    if (!parsed.success) continue;
    version = Math.max(version, Number(value.slice(0, at)) || 0);
    alerts.push(parsed.data);
  }
  alerts.sort(
    (a, b) =>
      Number(b.status === 'firing') - Number(a.status === 'firing') ||
      a.startsAt.localeCompare(b.startsAt) ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
  return { alerts, version };
}
