import type { Redis } from 'ioredis';
import { ChatMessage } from '../queue/message.ts';

/**
 * The dashboard's Status view: each cluster's status as a worker last read it (the bot holds no
 * cluster credentials), refreshed every minute.
 */
export type ClusterSnapshot = {
  cluster: string;
  at: string;
  message: ChatMessage | undefined;
  error?: string;
};

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

  async read(): Promise<ClusterSnapshot[]> {
    const all = await this.#redis.hgetall(this.#key);
    return Object.values(all).flatMap((text) => {
      try {
        const raw = JSON.parse(text) as ClusterSnapshot;
        const message = raw.message === undefined ? undefined : ChatMessage.safeParse(raw.message);
        return [{ ...raw, message: message?.success ? message.data : undefined }];
      } catch {
        return [];
      }
    });
  }
}
