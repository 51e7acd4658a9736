import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ClusterHealth } from '../commands/status.ts';

/**
 * The dashboard's Status view: each cluster's health as a worker last read it (the bot holds no
 * cluster credentials), read again within seconds of a change and at least once a minute
 * (`src/worker/status-snapshots.ts`). It is kept per namespace, so that each person is shown
 * only the namespaces their channels are bound to.
 */
export const ClusterSnapshot = z.object({
  cluster: z.string(),
  at: z.string(),
  health: ClusterHealth.optional(),
  error: z.string().optional(),
});
export type ClusterSnapshot = z.infer<typeof ClusterSnapshot>;

export class StatusStore {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = `${prefix}:dashboard:status`;
  }

  async write(snapshot: ClusterSnapshot): Promise<void> {
    await this.#redis.hset(this.#key, snapshot.cluster, JSON.stringify(snapshot));
    await this.#redis.expire(this.#key, 3_600);
  }

  /** The snapshots as written; one that does not parse (an older release's) is left out. */
  async read(): Promise<ClusterSnapshot[]> {
    const all = await this.#redis.hgetall(this.#key);
    return Object.values(all).flatMap((text) => {
      try {
        const parsed = ClusterSnapshot.safeParse(JSON.parse(text));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
  }
}
