import type { Redis } from 'ioredis';
import type { AlertRunJob } from './jobs.ts';

/**
 * Alertmanager notifications as the webhook accepted them, waiting for a worker to make each a
 * job on the runs queue. The webhook's answer waits for one XADD, nothing more: adding a BullMQ
 * job costs the bot's one thread several times as much (its script, its events, its options),
 * and that work can wait for a worker (`inbox-mover.ts`). A Redis stream, so an entry a worker
 * took and did not finish is still there, pending, for another worker to claim.
 */
export class AlertInbox {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = alertInboxKey(prefix);
  }

  /** Appends the notification's job under its id, in one command. */
  async push(jobId: string, job: AlertRunJob): Promise<void> {
    await this.#redis.xadd(this.#key, '*', ID_FIELD, jobId, JOB_FIELD, JSON.stringify(job));
  }
}

export function alertInboxKey(prefix: string): string {
  return inboxKey(prefix, 'alerts');
}

/** The Redis streams where accepted requests wait for their work: the webhook's and Slack's. */
export const INBOXES = ['alerts', 'slack'] as const;

export function inboxKey(prefix: string, inbox: (typeof INBOXES)[number]): string {
  return `${prefix}:inbox:${inbox}`;
}

export const ID_FIELD = 'id';
export const JOB_FIELD = 'job';
