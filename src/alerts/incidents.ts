import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type GroupState, groupId } from './alert-groups.ts';
import type { AlertmanagerPayload } from './schema.ts';

/**
 * Incidents: each firing episode of an alert group, from the notification that finds it firing
 * with none open to the one that finds every alert resolved. An episode opens and closes once,
 * however often and in whatever order its notifications are processed: each observation carries
 * the group's version, an older one changes nothing, and the same one (a retried job) is told
 * again what it decided the first time, so a report lost to a crash is posted on the retry.
 */
const KEEP_SECONDS = 30 * 86_400;
/** Label pairs kept apart in the figures; beyond them, alerts count under `(other)`. */
const MAX_STAT_PAIRS = 500;

export const Diagnosis = z.object({
  at: z.iso.datetime(),
  /** The answer's first line: what it found. */
  cause: z.string().max(300),
  /** What it saw, as posted (already redacted). */
  evidence: z.string().max(2_000),
  /** Who diagnosed: the analyzers, a model's specialists, or a workflow. */
  by: z.string().max(200),
  runId: z.string().max(200),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

export const Incident = z.object({
  id: z.string(),
  groupId: z.string(),
  threadKey: z.string(),
  alertname: z.string(),
  namespace: z.string().optional(),
  cluster: z.string().optional(),
  severity: z.string().optional(),
  channels: z.array(z.string()),
  firedAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().optional(),
  diagnosis: Diagnosis.optional(),
  /** The thread of the investigation this incident's alerts joined (storm control). */
  joined: z.string().optional(),
});
export type Incident = z.infer<typeof Incident>;

export type Observation =
  | { kind: 'opened' | 'ongoing' | 'closed'; incident: Incident }
  | { kind: 'none' | 'stale' };

/**
 * KEYS: the group's incident state, the incidents index. ARGV: key prefix for incidents, group
 * id, version, firing ('1'/'0'), firedAt, resolvedAt, facts JSON, fired-at score, ttl.
 * Returns the decision and the incident's id.
 */
const OBSERVE = `
local v = tonumber(ARGV[3])
local last = tonumber(redis.call('hget', KEYS[1], 'version') or '-1')
if v < last then return {'stale', ''} end
if v == last then
  return {redis.call('hget', KEYS[1], 'decision') or 'none', redis.call('hget', KEYS[1], 'id') or ''}
end
local open = redis.call('hget', KEYS[1], 'open')
local decision, id = 'none', ''
if ARGV[4] == '1' then
  if open then
    decision, id = 'ongoing', open
  else
    local n = redis.call('hincrby', KEYS[1], 'seq', 1)
    id = ARGV[2] .. '.' .. n
    local key = ARGV[1] .. id
    redis.call('hset', key, 'facts', ARGV[7], 'firedAt', ARGV[5])
    redis.call('expire', key, ARGV[9])
    redis.call('zadd', KEYS[2], ARGV[8], id)
    redis.call('hset', KEYS[1], 'open', id)
    decision = 'opened'
  end
elseif open then
  redis.call('hset', ARGV[1] .. open, 'resolvedAt', ARGV[6])
  redis.call('hdel', KEYS[1], 'open')
  decision, id = 'closed', open
end
redis.call('hset', KEYS[1], 'version', v, 'decision', decision, 'id', id)
redis.call('expire', KEYS[1], ARGV[9])
return {decision, id}
`;

/** KEYS: the stats hash, the incident's hash. ARGV: pair, then name/amount pairs. Once per incident. */
const COUNT = `
if redis.call('hsetnx', KEYS[2], 'counted', '1') == 0 then return 0 end
local pair = ARGV[1]
if redis.call('hexists', KEYS[1], pair .. '|resolved') == 0
  and redis.call('hlen', KEYS[1]) >= ${MAX_STAT_PAIRS * 7} then
  pair = '(other)' .. string.char(31) .. '(other)'
end
for i = 2, #ARGV, 2 do
  redis.call('hincrbyfloat', KEYS[1], pair .. '|' .. ARGV[i], ARGV[i + 1])
end
return 1
`;

/**
 * KEYS: the incident's hash, the group's incident state. ARGV: how many proposals its thread
 * lists now. An incident's proposals are those its thread listed after the previous incident's
 * and up to its report: taken once, so a report written again shows the same ones.
 */
const TAKE_PROPOSALS = `
local from = redis.call('hget', KEYS[1], 'proposalsFrom')
if from then return {tonumber(from), tonumber(redis.call('hget', KEYS[1], 'proposalsTo'))} end
from = tonumber(redis.call('hget', KEYS[2], 'proposalsTaken') or '0')
local to = math.max(from, tonumber(ARGV[1]))
redis.call('hset', KEYS[1], 'proposalsFrom', from, 'proposalsTo', to)
redis.call('hset', KEYS[2], 'proposalsTaken', to)
return {from, to}
`;

/** What one incident adds to the figures of its alert name and namespace. */
export type IncidentFigures = {
  resolveSeconds: number;
  diagnoseSeconds: number | undefined;
  mitigateSeconds: number | undefined;
  /** Fixed through an approved Coxswain action. */
  automated: boolean;
};

/** The figures of one alert name and namespace, summed over their resolved incidents. */
export type IncidentStats = {
  alertname: string;
  namespace: string;
  resolved: number;
  resolveSeconds: number;
  diagnosed: number;
  diagnoseSeconds: number;
  mitigated: number;
  mitigateSeconds: number;
  automated: number;
};

const SEPARATOR = '\u001f';

export class Incidents {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** What the group's state as of this notification means for its incident. */
  async observe(
    payload: Pick<AlertmanagerPayload, 'groupKey' | 'commonLabels' | 'groupLabels'>,
    group: GroupState,
    channels: readonly string[],
    groupFiring = group.alerts.some((alert) => alert.status === 'firing'),
  ): Promise<Observation> {
    const id = groupId(payload.groupKey);
    const firing = group.alerts.filter((alert) => alert.status === 'firing');
    const firedAt = earliest((firing.length > 0 ? firing : group.alerts).map((a) => a.startsAt));
    const facts = factsOf(payload, group, id, channels);
    const [decision, incidentId] = (await this.#redis.eval(
      OBSERVE,
      2,
      this.#key(`incident-state:${id}`),
      this.#key('incidents'),
      this.#key('incident:'),
      id,
      String(group.version),
      groupFiring ? '1' : '0',
      firedAt,
      resolvedAtOf(group),
      JSON.stringify(facts),
      String(Date.parse(firedAt)),
      String(KEEP_SECONDS),
    )) as [string, string];
    if (decision === 'none' || decision === 'stale' || incidentId === '') return { kind: 'none' };
    const incident = await this.get(incidentId);
    if (incident === undefined) return { kind: 'none' };
    return { kind: decision as 'opened' | 'ongoing' | 'closed', incident };
  }

  /** The incident, as stored; undefined when unknown or unreadable. */
  async get(id: string): Promise<Incident | undefined> {
    const hash = await this.#redis.hgetall(this.#key(`incident:${id}`));
    if (hash.facts === undefined || hash.firedAt === undefined) return undefined;
    const parsed = Incident.safeParse({
      ...(parseJson(hash.facts) as object),
      id,
      firedAt: hash.firedAt,
      ...(hash.resolvedAt === undefined ? {} : { resolvedAt: hash.resolvedAt }),
      ...(hash.diagnosis === undefined ? {} : { diagnosis: parseJson(hash.diagnosis) }),
      ...(hash.joined === undefined ? {} : { joined: hash.joined }),
    });
    return parsed.success ? parsed.data : undefined;
  }

  /** The incident now (or last) under way in a group's thread. */
  async ofThread(threadKey: string): Promise<Incident | undefined> {
    const id = await this.#latestId(threadKey);
    return id === undefined ? undefined : this.get(id);
  }

  /** The first diagnosis posted in the group's thread; later ones change nothing. */
  async diagnosed(threadKey: string, diagnosis: Diagnosis): Promise<void> {
    const id = await this.#latestId(threadKey);
    if (id === undefined) return;
    await this.#redis.hsetnx(
      this.#key(`incident:${id}`),
      'diagnosis',
      JSON.stringify(Diagnosis.parse(diagnosis)),
    );
  }

  /** The group's alerts joined the investigation in another thread (storm control). */
  async joined(threadKey: string, investigationThread: string): Promise<void> {
    const id = await this.#latestId(threadKey);
    if (id !== undefined)
      await this.#redis.hsetnx(this.#key(`incident:${id}`), 'joined', investigationThread);
  }

  /** Which of its thread's `listed` proposals are the incident's: [from, to). */
  async proposalRange(incident: Incident, listed: number): Promise<[number, number]> {
    const range = (await this.#redis.eval(
      TAKE_PROPOSALS,
      2,
      this.#key(`incident:${incident.id}`),
      this.#key(`incident-state:${incident.groupId}`),
      String(listed),
    )) as [number, number];
    return range;
  }

  /** The report people read, kept for the dashboard. */
  async keepReport(id: string, report: unknown): Promise<void> {
    await this.#redis.hset(this.#key(`incident:${id}`), 'report', JSON.stringify(report));
  }

  async report(id: string): Promise<unknown> {
    const text = await this.#redis.hget(this.#key(`incident:${id}`), 'report');
    return text === null ? undefined : parseJson(text);
  }

  /** The latest incidents first, with their reports when they have one. */
  async recent(limit: number): Promise<{ incident: Incident; report: unknown }[]> {
    const ids = await this.#redis.zrevrange(this.#key('incidents'), 0, limit - 1);
    const found = await Promise.all(
      ids.map(async (id) => {
        const incident = await this.get(id);
        return incident === undefined ? [] : [{ incident, report: await this.report(id) }];
      }),
    );
    return found.flat();
  }

  /** Adds a resolved incident to its alert name's and namespace's figures, once. */
  async count(incident: Incident, figures: IncidentFigures): Promise<boolean> {
    const pair = `${incident.alertname}${SEPARATOR}${incident.namespace ?? ''}`;
    const amounts: string[] = ['resolved', '1', 'resolveSeconds', String(figures.resolveSeconds)];
    if (figures.diagnoseSeconds !== undefined)
      amounts.push('diagnosed', '1', 'diagnoseSeconds', String(figures.diagnoseSeconds));
    if (figures.mitigateSeconds !== undefined)
      amounts.push('mitigated', '1', 'mitigateSeconds', String(figures.mitigateSeconds));
    if (figures.automated) amounts.push('automated', '1');
    const counted = await this.#redis.eval(
      COUNT,
      2,
      this.#key('incident-stats'),
      this.#key(`incident:${incident.id}`),
      pair,
      ...amounts,
    );
    return counted === 1;
  }

  /** Every alert name's and namespace's figures. */
  async stats(): Promise<IncidentStats[]> {
    const hash = await this.#redis.hgetall(this.#key('incident-stats'));
    const byPair = new Map<string, IncidentStats>();
    for (const [field, value] of Object.entries(hash)) {
      const bar = field.lastIndexOf('|');
      const pair = field.slice(0, bar);
      const [alertname = '', namespace = ''] = pair.split(SEPARATOR);
      const stats = byPair.get(pair) ?? emptyStats(alertname, namespace);
      const name = field.slice(bar + 1) as keyof IncidentStats;
      if (name in stats && name !== 'alertname' && name !== 'namespace')
        stats[name] = Number(value) || 0;
      byPair.set(pair, stats);
    }
    return [...byPair.values()];
  }

  async #latestId(threadKey: string): Promise<string | undefined> {
    if (!threadKey.startsWith('alert.')) return undefined;
    const group = threadKey.slice('alert.'.length);
    const id = await this.#redis.hget(this.#key(`incident-state:${group}`), 'id');
    if (id !== null && id !== '') return id;
    const seq = await this.#redis.hget(this.#key(`incident-state:${group}`), 'seq');
    return seq === null ? undefined : `${group}.${seq}`;
  }

  #key(name: string): string {
    return `${this.#prefix}:${name}`;
  }
}

function factsOf(
  payload: Pick<AlertmanagerPayload, 'commonLabels' | 'groupLabels'>,
  group: GroupState,
  id: string,
  channels: readonly string[],
) {
  const labels = payload.commonLabels;
  const first = group.alerts[0]?.labels ?? {};
  const pick = (name: string) => labels[name] ?? payload.groupLabels[name];
  return {
    groupId: id,
    threadKey: `alert.${id}`,
    alertname: (pick('alertname') ?? first.alertname ?? 'Alert').slice(0, 200),
    ...optional('namespace', pick('namespace')),
    ...optional('cluster', pick('cluster')),
    ...optional('severity', pick('severity')),
    channels: [...channels],
  };
}

function optional(name: string, value: string | undefined) {
  return value === undefined ? {} : { [name]: value.slice(0, 200) };
}

/** When the last of the group's alerts ended: the group resolved then. */
function resolvedAtOf(group: GroupState): string {
  const ends = group.alerts
    .map((alert) => Date.parse(alert.endsAt ?? ''))
    .filter((end) => Number.isFinite(end) && end > 0);
  const last = ends.length === 0 ? Date.now() : Math.max(...ends);
  return new Date(last).toISOString();
}

function earliest(times: readonly string[]): string {
  const first = Math.min(...times.map((t) => Date.parse(t)).filter(Number.isFinite));
  return new Date(Number.isFinite(first) ? first : Date.now()).toISOString();
}

function emptyStats(alertname: string, namespace: string): IncidentStats {
  return {
    alertname,
    namespace,
    resolved: 0,
    resolveSeconds: 0,
    diagnosed: 0,
    diagnoseSeconds: 0,
    mitigated: 0,
    mitigateSeconds: 0,
    automated: 0,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
