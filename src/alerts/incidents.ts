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
/** Label sets kept apart in the figures; beyond them, alerts count under `(other)`. */
const MAX_STAT_PAIRS = 500;
/** Incidents the index keeps, newest by when they opened; older ones leave the dashboard's list. */
export const INDEX_KEPT = 5_000;
/** Incidents read from the index at a time while looking for those a reader may see. */
const PAGE = 200;

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
 * Lua that keeps a key that has no expiry (one written after its record expired) from staying
 * for ever.
 */
const EXPIRE_IF_UNSET = `
local function expire_if_unset(key, ttl)
  if redis.call('ttl', key) == -1 then redis.call('expire', key, ttl) end
end
`;

/**
 * KEYS: the group's incident state, the incidents index. ARGV: key prefix for incidents, group
 * id, version, firing ('1'/'0'), firedAt, resolvedAt, facts JSON, ttl. Returns the decision and
 * the incident's id. An incident's record lives as long as its group is observed; one lost anyway
 * is written again from what this notification knows. The index is scored by the server's clock
 * when the incident opened, holds at most ${INDEX_KEPT}, and forgets its oldest entries whose
 * record expired.
 */
const OBSERVE = `
local v = tonumber(ARGV[3])
local last = tonumber(redis.call('hget', KEYS[1], 'version') or '-1')
if v < last then return {'stale', ''} end
if v == last then
  return {redis.call('hget', KEYS[1], 'decision') or 'none', redis.call('hget', KEYS[1], 'id') or ''}
end
local function index(id)
  local now = redis.call('time')
  local score = tonumber(now[1]) * 1000000 + tonumber(now[2])
  redis.call('zadd', KEYS[2], string.format('%.0f', score), id)
  redis.call('zremrangebyrank', KEYS[2], 0, -${INDEX_KEPT + 1})
  for _, old in ipairs(redis.call('zrange', KEYS[2], 0, 1)) do
    if redis.call('exists', ARGV[1] .. old) == 0 then redis.call('zrem', KEYS[2], old) end
  end
end
local function write(key, id)
  redis.call('hset', key, 'facts', ARGV[7], 'firedAt', ARGV[5])
  index(id)
end
local function keep(id)
  local key = ARGV[1] .. id
  if redis.call('exists', key) == 0 then write(key, id) end
  redis.call('expire', key, ARGV[8])
  return key
end
local open = redis.call('hget', KEYS[1], 'open')
local decision, id = 'none', ''
if ARGV[4] == '1' then
  if open then
    keep(open)
    decision, id = 'ongoing', open
  else
    local n = redis.call('hincrby', KEYS[1], 'seq', 1)
    id = ARGV[2] .. '.' .. n
    -- A state that expired starts its count again: a record left under the id is another's.
    redis.call('del', ARGV[1] .. id)
    keep(id)
    redis.call('hset', KEYS[1], 'open', id)
    decision = 'opened'
  end
elseif open then
  redis.call('hset', keep(open), 'resolvedAt', ARGV[6])
  redis.call('hdel', KEYS[1], 'open')
  decision, id = 'closed', open
end
redis.call('hset', KEYS[1], 'version', ARGV[3], 'decision', decision, 'id', id)
redis.call('expire', KEYS[1], ARGV[8])
return {decision, id}
`;

/**
 * KEYS: the stats hash, the incident's hash, the set of label sets kept apart. ARGV: ttl, label
 * set, then name/amount pairs. Once per incident.
 */
const COUNT = `${EXPIRE_IF_UNSET}
if redis.call('hsetnx', KEYS[2], 'counted', '1') == 0 then return 0 end
expire_if_unset(KEYS[2], ARGV[1])
local pair = ARGV[2]
local known = redis.call('sismember', KEYS[3], pair) == 1
  or redis.call('hexists', KEYS[1], pair .. '|resolved') == 1
if known or redis.call('scard', KEYS[3]) < ${MAX_STAT_PAIRS} then
  redis.call('sadd', KEYS[3], pair)
else
  pair = '(other)' .. string.char(31) .. '(other)'
end
for i = 3, #ARGV, 2 do
  redis.call('hincrbyfloat', KEYS[1], pair .. '|' .. ARGV[i], ARGV[i + 1])
end
return 1
`;

/**
 * KEYS: the incident's hash. ARGV: field, value, '1' to keep a value already there. Writes only
 * to a record that still exists: one that expired is not brought back as a stray key.
 */
const WRITE_IF_KEPT = `
if redis.call('exists', KEYS[1]) == 0 then return 0 end
if ARGV[3] == '1' then return redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/**
 * KEYS: the incident's hash, the group's incident state. ARGV: how many proposals its thread
 * lists now, ttl. An incident's proposals are those its thread listed after the previous
 * incident's and up to its report: taken once, so a report written again shows the same ones.
 */
const TAKE_PROPOSALS = `${EXPIRE_IF_UNSET}
local from = redis.call('hget', KEYS[1], 'proposalsFrom')
if from then return {tonumber(from), tonumber(redis.call('hget', KEYS[1], 'proposalsTo'))} end
from = tonumber(redis.call('hget', KEYS[2], 'proposalsTaken') or '0')
local to = math.max(from, tonumber(ARGV[1]))
redis.call('hset', KEYS[1], 'proposalsFrom', from, 'proposalsTo', to)
redis.call('hset', KEYS[2], 'proposalsTaken', to)
expire_if_unset(KEYS[1], ARGV[2])
expire_if_unset(KEYS[2], ARGV[2])
return {from, to}
`;

/** What one incident adds to the figures of its alert name, namespace and cluster. */
export type IncidentFigures = {
  resolveSeconds: number;
  diagnoseSeconds: number | undefined;
  mitigateSeconds: number | undefined;
  /** Fixed through an approved Coxswain action. */
  automated: boolean;
};

/**
 * The figures of one alert name, namespace and cluster (empty when the alerts name none), summed
 * over their resolved incidents.
 */
export type IncidentStats = {
  alertname: string;
  namespace: string;
  cluster: string;
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
      String(KEEP_SECONDS),
    )) as [string, string];
    if (decision === 'none' || decision === 'stale' || incidentId === '') return { kind: 'none' };
    const incident = await this.get(incidentId);
    if (incident === undefined) return { kind: 'none' };
    return { kind: decision as 'opened' | 'ongoing' | 'closed', incident };
  }

  /** The incident, as stored; undefined when unknown or unreadable. */
  async get(id: string): Promise<Incident | undefined> {
    const fields = await this.#redis.hmget(this.#key(`incident:${id}`), ...RECORD_FIELDS);
    return incidentOf(id, fields);
  }

  /** The incident now (or last) under way in a group's thread. */
  async ofThread(threadKey: string): Promise<Incident | undefined> {
    const id = await this.#latestId(threadKey);
    return id === undefined ? undefined : this.get(id);
  }

  /** The first diagnosis posted in the group's thread; later ones change nothing. */
  async diagnosed(threadKey: string, diagnosis: Diagnosis): Promise<void> {
    const id = await this.#latestId(threadKey);
    if (id !== undefined)
      await this.#write(id, 'diagnosis', JSON.stringify(Diagnosis.parse(diagnosis)), 'first');
  }

  /** The group's alerts joined the investigation in another thread (storm control). */
  async joined(threadKey: string, investigationThread: string): Promise<void> {
    const id = await this.#latestId(threadKey);
    if (id !== undefined) await this.#write(id, 'joined', investigationThread, 'first');
  }

  /** Which of its thread's `listed` proposals are the incident's: [from, to). */
  async proposalRange(incident: Incident, listed: number): Promise<[number, number]> {
    const range = (await this.#redis.eval(
      TAKE_PROPOSALS,
      2,
      this.#key(`incident:${incident.id}`),
      this.#key(`incident-state:${incident.groupId}`),
      String(listed),
      String(KEEP_SECONDS),
    )) as [number, number];
    return range;
  }

  /** The report people read, kept for the dashboard. */
  async keepReport(id: string, report: unknown): Promise<void> {
    await this.#write(id, 'report', JSON.stringify(report), 'latest');
  }

  async report(id: string): Promise<unknown> {
    const text = await this.#redis.hget(this.#key(`incident:${id}`), 'report');
    return text === null ? undefined : parseJson(text);
  }

  /**
   * The latest incidents first, up to `limit` of those `visible` keeps, with their reports when
   * they have one. The index is read a page at a time until enough are found or it ends; ids
   * whose record expired are taken out of it on the way.
   */
  async recent(
    limit: number,
    visible: (incident: Incident) => boolean = () => true,
  ): Promise<{ incident: Incident; report: unknown }[]> {
    const index = this.#key('incidents');
    const found: Incident[] = [];
    const seen = new Set<string>();
    for (let start = 0; found.length < limit; start += PAGE) {
      const ids = await this.#redis.zrevrange(index, start, start + PAGE - 1);
      if (ids.length === 0) break;
      const records = await this.#records(ids);
      const gone = ids.filter((_, i) => records[i] === 'gone');
      for (const record of records) {
        if (record === 'gone' || record === undefined || seen.has(record.id)) continue;
        seen.add(record.id);
        if (found.length < limit && visible(record)) found.push(record);
      }
      if (gone.length > 0) {
        await this.#redis.zrem(index, ...gone);
        start -= gone.length;
      }
    }
    return Promise.all(
      found.map(async (incident) => ({ incident, report: await this.report(incident.id) })),
    );
  }

  /** Adds a resolved incident to its alert name's, namespace's and cluster's figures, once. */
  async count(incident: Incident, figures: IncidentFigures): Promise<boolean> {
    const amounts: string[] = ['resolved', '1', 'resolveSeconds', String(figures.resolveSeconds)];
    if (figures.diagnoseSeconds !== undefined)
      amounts.push('diagnosed', '1', 'diagnoseSeconds', String(figures.diagnoseSeconds));
    if (figures.mitigateSeconds !== undefined)
      amounts.push('mitigated', '1', 'mitigateSeconds', String(figures.mitigateSeconds));
    if (figures.automated) amounts.push('automated', '1');
    const counted = await this.#redis.eval(
      COUNT,
      3,
      this.#key('incident-stats'),
      this.#key(`incident:${incident.id}`),
      this.#key('incident-stat-pairs'),
      String(KEEP_SECONDS),
      labelSetOf(incident),
      ...amounts,
    );
    return counted === 1;
  }

  /** Every alert name's, namespace's and cluster's figures. */
  async stats(): Promise<IncidentStats[]> {
    const hash = await this.#redis.hgetall(this.#key('incident-stats'));
    const byPair = new Map<string, IncidentStats>();
    for (const [field, value] of Object.entries(hash)) {
      const bar = field.lastIndexOf('|');
      const pair = field.slice(0, bar);
      const [alertname = '', namespace = '', cluster = ''] = pair.split(SEPARATOR);
      const stats = byPair.get(pair) ?? emptyStats(alertname, namespace, cluster);
      const name = field.slice(bar + 1);
      if (isFigure(name)) stats[name] = Number(value) || 0;
      byPair.set(pair, stats);
    }
    return [...byPair.values()];
  }

  /** The incident records of `ids`, in order: `gone` where the record expired. */
  async #records(ids: readonly string[]): Promise<(Incident | 'gone' | undefined)[]> {
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hmget(this.#key(`incident:${id}`), ...RECORD_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    return ids.map((id, i) => {
      const [error, fields] = replies[i] ?? [];
      if (error) throw error;
      const values = fields as (string | null)[];
      return values[0] === null && values[1] === null ? 'gone' : incidentOf(id, values);
    });
  }

  /** Sets a field of an incident's record, if the record is still kept. */
  async #write(id: string, field: string, value: string, keep: 'first' | 'latest') {
    await this.#redis.eval(
      WRITE_IF_KEPT,
      1,
      this.#key(`incident:${id}`),
      field,
      value,
      keep === 'first' ? '1' : '0',
    );
  }

  async #latestId(threadKey: string): Promise<string | undefined> {
    if (!threadKey.startsWith('alert.')) return undefined;
    const group = threadKey.slice('alert.'.length);
    const [id, seq] = await this.#redis.hmget(this.#key(`incident-state:${group}`), 'id', 'seq');
    if (id !== null && id !== undefined && id !== '') return id;
    return seq === null || seq === undefined ? undefined : `${group}.${seq}`;
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

/** The fields of an incident's record that make the incident (the report is read apart). */
const RECORD_FIELDS = ['facts', 'firedAt', 'resolvedAt', 'diagnosis', 'joined'] as const;

function incidentOf(id: string, fields: readonly (string | null)[]): Incident | undefined {
  const [facts, firedAt, resolvedAt, diagnosis, joined] = fields;
  if (facts == null || firedAt == null) return undefined;
  const parsed = Incident.safeParse({
    ...(parseJson(facts) as object),
    id,
    firedAt,
    ...(resolvedAt == null ? {} : { resolvedAt }),
    ...(diagnosis == null ? {} : { diagnosis: parseJson(diagnosis) }),
    ...(joined == null ? {} : { joined }),
  });
  return parsed.success ? parsed.data : undefined;
}

/**
 * The incident's alert name, namespace and cluster as its figures are filed: apart by the
 * separator, which is taken out of each. Without a cluster it is the two alone, as figures were
 * filed before clusters were.
 */
function labelSetOf(incident: Incident): string {
  const parts = [incident.alertname, incident.namespace ?? ''];
  if (incident.cluster !== undefined && incident.cluster !== '') parts.push(incident.cluster);
  return parts.map((part) => part.replaceAll(SEPARATOR, '')).join(SEPARATOR);
}

type Figure = Exclude<keyof IncidentStats, 'alertname' | 'namespace' | 'cluster'>;

function isFigure(name: string): name is Figure {
  return (FIGURES as readonly string[]).includes(name);
}

const FIGURES = [
  'resolved',
  'resolveSeconds',
  'diagnosed',
  'diagnoseSeconds',
  'mitigated',
  'mitigateSeconds',
  'automated',
] as const satisfies readonly Figure[];

/** When the last of the group's alerts ended: the group resolved then. */
function resolvedAtOf(group: GroupState): string {
  // A loop, not Math.max(...ends): a spread of a group's many alerts overflows the stack.
  let last = Number.NEGATIVE_INFINITY;
  for (const alert of group.alerts) {
    const end = Date.parse(alert.endsAt ?? '');
    if (Number.isFinite(end) && end > 0 && end > last) last = end;
  }
  return new Date(Number.isFinite(last) ? last : Date.now()).toISOString();
}

function earliest(times: readonly string[]): string {
  let first = Number.POSITIVE_INFINITY;
  for (const time of times) {
    const at = Date.parse(time);
    if (at < first) first = at;
  }
  return new Date(Number.isFinite(first) ? first : Date.now()).toISOString();
}

function emptyStats(alertname: string, namespace: string, cluster: string): IncidentStats {
  return {
    alertname,
    namespace,
    cluster,
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
