import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { KubeAction } from '../tools/kubernetes/actions/action.ts';

/**
 * Proposals as records in Redis. A proposal's id derives from the run and the model's tool call,
 * so a run resumed after a crash that proposes the same call again finds the record there and
 * creates no second one. (The card, the approval flow and execution build on these records.)
 */
export const Proposal = z.object({
  id: z.string(),
  runId: z.string(),
  agent: z.string(),
  action: KubeAction,
  state: z.literal('pending'),
  createdAt: z.iso.datetime(),
});
export type Proposal = z.infer<typeof Proposal>;

/** Short enough for a Discord custom_id with room to spare; stable for a run and tool call. */
export function proposalId(runId: string, callId: string): string {
  return `p${createHash('sha256').update(`${runId}/${callId}`).digest('base64url').slice(0, 16)}`;
}

/** Kept a month: long after any decision, for the audit trail to refer to. */
const KEEP_SECONDS = 30 * 86_400;

const CREATE = `
if KEYS[3] ~= '' and redis.call('get', KEYS[3]) ~= ARGV[4] then return -1 end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) then
  redis.call('rpush', KEYS[2], ARGV[2])
  redis.call('expire', KEYS[2], ARGV[3])
  return 1
end
return 0
`;

export type ProposalRecords = {
  create(proposal: Proposal): Promise<{ created: boolean }>;
  get(id: string): Promise<Proposal | undefined>;
  ofRun(runId: string): Promise<string[]>;
};

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

  /** Records the proposal unless one with its id exists; says which happened. */
  /** Records the proposal unless one with its id exists, and lists it with its run, atomically. */
  async create(proposal: Proposal): Promise<{ created: boolean }> {
    const created = await this.#redis.eval(
      CREATE,
      3,
      this.#key(proposal.id),
      this.#runKey(proposal.runId),
      this.#lock?.key ?? '',
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

  async ofRun(runId: string): Promise<string[]> {
    return this.#redis.lrange(this.#runKey(runId), 0, -1);
  }

  #key(id: string): string {
    return `${this.#prefix}:proposal:${id}`;
  }

  #runKey(runId: string): string {
    return `${this.#prefix}:run:${runId}:proposals`;
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
