import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import {
  AUDIT_STREAM_LENGTH,
  type AuditEntry,
  auditLine,
  auditStreamKey,
} from '../audit/audit-log.ts';
import { ChannelRef } from '../shared/channel.ts';
import { ProposedAction } from '../tools/proposed-action.ts';

/**
 * Proposals in Redis. A proposal's content (the action, its diff and digest) is written once,
 * under an id that derives from the run and the model's tool call, so a run resumed after a crash
 * that proposes the same call again finds the record there. Its life is kept beside it, in a hash
 * that only the transition script changes:
 *
 *   pending ──approve──► approved ──► executing ──► succeeded | failed
 *      ├──reject──► rejected
 *      ├──timeout─► expired
 *      └──target changed / newer proposal──► superseded
 *
 * Every transition checks the state it leaves in the same script that writes the new one, so a
 * double click, two approvers at once or approve and reject racing make exactly one decision;
 * each is recorded with its time and actor, and its audit entry is added to the audit stream by
 * that same script: a process that dies after a transition leaves no gap in the trail.
 */
export const Proposal = z.object({
  id: z.string(),
  runId: z.string(),
  agent: z.string(),
  action: ProposedAction,
  state: z.literal('pending'),
  createdAt: z.iso.datetime(),
  /** Why: the finding or the agent's reasoning, for the card. */
  rationale: z.string().max(1_000).optional(),
});
export type Proposal = z.infer<typeof Proposal>;

const PROPOSAL_STATES = [
  'pending',
  'approved',
  'executing',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'superseded',
] as const;
const ProposalState = z.enum(PROPOSAL_STATES);
type ProposalState = z.infer<typeof ProposalState>;

/** Where the proposal was shown, and for whom: set once, when its card is posted. */
export const Origin = z.object({
  channel: ChannelRef,
  thread: z.string().optional(),
  /** Shown in the thread of the bot's message under this key (its alert group's). */
  threadKey: z.string().optional(),
  /** Who asked (`slack:U…`), or for a proposal raised by an alert, the alert (`alert:<group>`). */
  requester: z.string().min(1),
  cluster: z.string().min(1),
  expiresAt: z.iso.datetime(),
  /** The conversation of the question that led here: it goes on once the proposal is decided. */
  conversation: z.string().min(1).max(250).optional(),
  /** The namespaces that question could see: its follow-up sees no more. */
  namespaces: z.array(z.string().max(253)).max(100).optional(),
  /** The workflow run whose step waits on this proposal: it goes on once the proposal is decided. */
  workflow: z
    .object({
      runId: z.string().min(1).max(200),
      step: z.string().min(1).max(63),
      name: z.string().min(1).max(63),
      /** Approved by the workflow itself (`auto_approve`, or a safe tier), not by a click. */
      auto: z.boolean(),
    })
    .optional(),
});
export type Origin = z.infer<typeof Origin>;

const Transition = z.object({
  from: ProposalState,
  to: ProposalState,
  at: z.iso.datetime(),
  /** Who or what moved it: a person (`slack:U…`), `worker`, `expiry`. */
  actor: z.string(),
  note: z.string().optional(),
});
type Transition = z.infer<typeof Transition>;

export const ExecutionResult = z.object({
  summary: z.string(),
  resourceVersionBefore: z.string().optional(),
  resourceVersionAfter: z.string().optional(),
  /** What was checked after the change, and what it showed. */
  verified: z.string().optional(),
  /** Applied, but the check after it failed or could not be made (`summary` says why). */
  unverified: z.boolean().optional(),
  /** Where the result can be seen (a pull request's page). */
  link: z.object({ label: z.string().max(100), url: z.url() }).optional(),
  /** The Kubernetes user the write impersonated (the cluster's `writeAs`), when it did. */
  writtenAs: z.string().optional(),
  error: z.string().optional(),
});
export type ExecutionResult = z.infer<typeof ExecutionResult>;

const Applied = z.object({
  at: z.iso.datetime(),
  /** The object's resourceVersion, or the commit a pull request's branch starts from. */
  resourceVersionBefore: z.string().optional(),
  resourceVersionAfter: z.string().optional(),
});
type Applied = z.infer<typeof Applied>;

/** A proposal with its life so far. */
export type ProposalRecord = Omit<Proposal, 'state'> & {
  state: ProposalState;
  origin: Origin | undefined;
  decidedBy: string | undefined;
  decidedAt: string | undefined;
  /** The groups through which the decider was an approver, as the platform said at the click. */
  decidedVia: string[];
  result: ExecutionResult | undefined;
  /** Set once the write reached the cluster, before anything after it can fail. */
  applied: Applied | undefined;
  /** When the write was about to be sent: a takeover finding this without `applied` cannot tell. */
  writing: string | undefined;
  supersededBy: string | undefined;
  transitions: Transition[];
};

/** Short enough for a Discord custom_id with room to spare; stable for a run and tool call. */
export function proposalId(runId: string, callId: string): string {
  return `p${createHash('sha256').update(`${runId}/${callId}`).digest('base64url').slice(0, 16)}`;
}

/** Kept a month: long after any decision, for the audit trail to refer to. */
const KEEP_SECONDS = 30 * 86_400;

const CREATE = `
if KEYS[3] ~= '' and redis.call('get', KEYS[3]) ~= ARGV[4] then return -1 end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) then
  redis.call('hset', KEYS[4], 'state', 'pending')
  redis.call('expire', KEYS[4], ARGV[3])
  redis.call('rpush', KEYS[2], ARGV[2])
  redis.call('expire', KEYS[2], ARGV[3])
  return 1
end
return 0
`;

/**
 * KEYS: state hash, transitions list, pending set, audit stream. ARGV: allowed from-states
 * (comma-separated), to-state, transition JSON (without from), ttl, proposal id, audit entry
 * JSON (empty for none), audit stream length, then field/value pairs to set. Returns the state it
 * left, or `!<state>` when the proposal was not in an allowed one.
 */
const TRANSITION = `
local state = redis.call('hget', KEYS[1], 'state')
if not state then return '!missing' end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == state then allowed = true end end
if not allowed then return '!' .. state end
redis.call('hset', KEYS[1], 'state', ARGV[2])
for i = 8, #ARGV, 2 do redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('rpush', KEYS[2], '{"from":"' .. state .. '",' .. ARGV[3])
redis.call('expire', KEYS[2], ARGV[4])
if ARGV[2] == 'pending' then redis.call('sadd', KEYS[3], ARGV[5]) else redis.call('srem', KEYS[3], ARGV[5]) end
if ARGV[6] ~= '' then redis.call('xadd', KEYS[4], 'MAXLEN', '~', ARGV[7], '*', 'entry', ARGV[6]) end
return state
`;

/** Records that the write of an executing proposal reached the cluster. */
const MARK_APPLIED = `
if redis.call('hget', KEYS[1], 'state') ~= 'executing' then return 0 end
redis.call('hset', KEYS[1], 'applied', ARGV[1])
return 1
`;

/** Records that an executing proposal's write is about to be sent. */
const MARK_WRITING = `
if redis.call('hget', KEYS[1], 'state') ~= 'executing' then return 0 end
redis.call('hset', KEYS[1], 'writing', ARGV[1])
return 1
`;

/**
 * Sets where the card is, once, with its audit entry; a proposal shown already keeps its place.
 * A card shown in a thread is listed under it (KEYS[4]; ARGV[5] '1'), for the thread's report.
 */
const ATTACH = `
if redis.call('hget', KEYS[1], 'state') ~= 'pending' then return 0 end
if redis.call('hsetnx', KEYS[1], 'origin', ARGV[1]) == 0 then return 0 end
redis.call('sadd', KEYS[2], ARGV[2])
if ARGV[3] ~= '' then redis.call('xadd', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'entry', ARGV[3]) end
if ARGV[5] == '1' then
  redis.call('rpush', KEYS[4], ARGV[2])
  redis.call('expire', KEYS[4], ARGV[6])
end
return 1
`;

export type ProposalRecords = {
  create(proposal: Proposal): Promise<{ created: boolean }>;
  get(id: string): Promise<Proposal | undefined>;
  ofRun(runId: string): Promise<string[]>;
};

type TransitionOutcome =
  | { ok: true; from: ProposalState; record: ProposalRecord }
  | { ok: false; state: ProposalState | 'missing' };

export class ProposalStore implements ProposalRecords {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #lock: { key: string; token: string } | undefined;

  constructor(redis: Redis, prefix: string, lock?: { key: string; token: string }) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#lock = lock;
  }

  /** The same store for a worker holding a job's lock: it creates nothing once the lock is gone. */
  withLock(lock: { key: string; token: string } | undefined): ProposalStore {
    return new ProposalStore(this.#redis, this.#prefix, lock);
  }

  /** Records the proposal unless one with its id exists, and lists it with its run, atomically. */
  async create(proposal: Proposal): Promise<{ created: boolean }> {
    const created = await this.#redis.eval(
      CREATE,
      4,
      this.#key(proposal.id),
      this.#runKey(proposal.runId),
      this.#lock?.key ?? '',
      this.#stateKey(proposal.id),
      JSON.stringify(proposal),
      proposal.id,
      String(KEEP_SECONDS),
      this.#lock?.token ?? '',
    );
    if (created === -1)
      throw new Error(`lost the lock on run ${proposal.runId}; another worker has taken it over`);
    return { created: created === 1 };
  }

  async get(id: string): Promise<Proposal | undefined> {
    const text = await this.#redis.get(this.#key(id));
    return text === null ? undefined : Proposal.parse(JSON.parse(text));
  }

  /** The proposal with its state, decision, result and transitions. */
  async record(id: string): Promise<ProposalRecord | undefined> {
    const [[, text], [, hash], [, transitions]] = (await this.#redis
      .multi()
      .get(this.#key(id))
      .hgetall(this.#stateKey(id))
      .lrange(this.#transitionsKey(id), 0, -1)
      .exec()) as [[null, string | null], [null, Record<string, string>], [null, string[]]];
    if (text === null) return undefined;
    const proposal = Proposal.parse(JSON.parse(text));
    const json = <T>(schema: z.ZodType<T>, value: string | undefined): T | undefined =>
      value === undefined ? undefined : schema.parse(JSON.parse(value));
    return {
      ...proposal,
      state: ProposalState.catch('pending').parse(hash.state),
      origin: json(Origin, hash.origin),
      decidedBy: hash.decidedBy,
      decidedAt: hash.decidedAt,
      decidedVia: json(z.array(z.string()), hash.decidedVia) ?? [],
      result: json(ExecutionResult, hash.result),
      applied: json(Applied, hash.applied),
      writing: hash.writing,
      supersededBy: hash.supersededBy,
      transitions: transitions.map((t) => Transition.parse(JSON.parse(t))),
    };
  }

  async ofRun(runId: string): Promise<string[]> {
    return this.#redis.lrange(this.#runKey(runId), 0, -1);
  }

  /**
   * Records where the card is shown and until when it may be decided, with the audit entry of its
   * being proposed; false if shown already.
   */
  async attach(id: string, origin: Origin, audit?: AuditEntry): Promise<boolean> {
    const attached = await this.#redis.eval(
      ATTACH,
      4,
      this.#stateKey(id),
      this.#pendingKey,
      auditStreamKey(this.#prefix),
      this.#threadKey(origin.threadKey ?? ''),
      JSON.stringify(Origin.parse(origin)),
      id,
      audit === undefined ? '' : auditLine(audit),
      String(AUDIT_STREAM_LENGTH),
      origin.threadKey === undefined ? '0' : '1',
      String(KEEP_SECONDS),
    );
    return attached === 1;
  }

  /** The proposals shown in the thread of the bot's message under this key, oldest first. */
  async ofThread(threadKey: string): Promise<string[]> {
    return this.#redis.lrange(this.#threadKey(threadKey), 0, -1);
  }

  /**
   * Records, while executing, that the change is in the cluster: whatever fails after this, the
   * proposal is never reported as not applied.
   */
  async markApplied(id: string, applied: Applied): Promise<boolean> {
    const marked = await this.#redis.eval(
      MARK_APPLIED,
      1,
      this.#stateKey(id),
      JSON.stringify(Applied.parse(applied)),
    );
    return marked === 1;
  }

  /** Records, while executing, that the write is about to be sent (before it is). */
  async markWriting(id: string, at: Date): Promise<boolean> {
    return (await this.#redis.eval(MARK_WRITING, 1, this.#stateKey(id), at.toISOString())) === 1;
  }

  /** Proposals waiting for a decision, with a card somewhere. */
  async pending(): Promise<string[]> {
    return this.#redis.smembers(this.#pendingKey);
  }

  /**
   * Moves the proposal from one of `from` to `to`, atomically, recording the actor; `fields`
   * (decidedBy, result…) are set with it, and `audit` is added to the audit stream with it. Fails,
   * saying the state it found, when it was not in one of `from`.
   */
  async transition(
    id: string,
    from: readonly ProposalState[],
    to: ProposalState,
    actor: string,
    fields: Partial<Record<'decidedBy' | 'decidedAt' | 'supersededBy', string>> & {
      decidedVia?: readonly string[];
      result?: ExecutionResult;
      note?: string;
      audit?: AuditEntry;
    } = {},
    now = new Date(),
  ): Promise<TransitionOutcome> {
    const at = now.toISOString();
    const { result, note, decidedVia, audit, ...plain } = fields;
    const pairs: string[] = Object.entries(plain).flatMap(([k, v]) =>
      v === undefined ? [] : [k, v],
    );
    if (result !== undefined) pairs.push('result', JSON.stringify(ExecutionResult.parse(result)));
    if (decidedVia !== undefined) pairs.push('decidedVia', JSON.stringify(decidedVia));
    // The transition's JSON after its "from": Lua writes that part, as the state it found.
    const rest = JSON.stringify({ to, at, actor, ...(note === undefined ? {} : { note }) }).slice(
      1,
    );
    const left = String(
      await this.#redis.eval(
        TRANSITION,
        4,
        this.#stateKey(id),
        this.#transitionsKey(id),
        this.#pendingKey,
        auditStreamKey(this.#prefix),
        from.join(','),
        to,
        rest,
        String(KEEP_SECONDS),
        id,
        audit === undefined ? '' : auditLine(audit),
        String(AUDIT_STREAM_LENGTH),
        ...pairs,
      ),
    );
    if (left.startsWith('!')) {
      const state = left.slice(1);
      return { ok: false, state: state === 'missing' ? 'missing' : ProposalState.parse(state) };
    }
    const record = await this.record(id);
    if (record === undefined) return { ok: false, state: 'missing' };
    return { ok: true, from: ProposalState.parse(left), record };
  }

  #key(id: string): string {
    return `${this.#prefix}:proposal:${id}`;
  }

  #stateKey(id: string): string {
    return `${this.#prefix}:proposal:${id}:state`;
  }

  #transitionsKey(id: string): string {
    return `${this.#prefix}:proposal:${id}:transitions`;
  }

  get #pendingKey(): string {
    return `${this.#prefix}:proposals:pending`;
  }

  #runKey(runId: string): string {
    return `${this.#prefix}:run:${runId}:proposals`;
  }

  #threadKey(threadKey: string): string {
    return `${this.#prefix}:thread:${threadKey}:proposals`;
  }
}

/** Proposals of a run in one process (`coxswain ask`): shown, never approved from there. */
export class MemoryProposals implements ProposalRecords {
  readonly #proposals = new Map<string, Proposal>();

  async create(proposal: Proposal): Promise<{ created: boolean }> {
    if (this.#proposals.has(proposal.id)) return { created: false };
    this.#proposals.set(proposal.id, proposal);
    return { created: true };
  }

  async get(id: string): Promise<Proposal | undefined> {
    return this.#proposals.get(id);
  }

  async ofRun(runId: string): Promise<string[]> {
    return [...this.#proposals.values()].filter((p) => p.runId === runId).map((p) => p.id);
  }
}
