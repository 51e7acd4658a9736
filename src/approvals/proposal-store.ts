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

export type ProposalRecords = {
  create(proposal: Proposal): Promise<{ created: boolean }>;
  get(id: string): Promise<Proposal | undefined>;
  ofRun(runId: string): Promise<string[]>;
};

export class ProposalStore implements ProposalRecords {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Records the proposal unless one with its id exists; says which happened. */
  async create(proposal: Proposal): Promise<{ created: boolean }> {
    const done = await this.#redis.set(this.#key(proposal.id), JSON.stringify(proposal), 'NX');
    if (done === 'OK') await this.#redis.rpush(this.#runKey(proposal.runId), proposal.id);
    return { created: done === 'OK' };
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
