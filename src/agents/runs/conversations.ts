import type { Redis } from 'ioredis';

/**
 * What was asked and answered in a conversation (a chat thread, a DM), so a follow-up there is
 * answered with that context. The last few exchanges are kept for two weeks; a run records its
 * exchange once, however often it is retried.
 */
export type Exchange = { question: string; answer: string };

const KEEP = 6;
const TTL_SECONDS = 14 * 86_400;
const MAX_ANSWER = 1_500;

/** KEYS: list, recorded-runs set. ARGV: run id, exchange JSON, keep, ttl. */
const RECORD = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
`;

export type ConversationLog = {
  history(conversation: string): Promise<Exchange[]>;
  record(conversation: string, runId: string, exchange: Exchange): Promise<void>;
};

export class Conversations implements ConversationLog {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}:conversation`;
  }

  async history(conversation: string): Promise<Exchange[]> {
    const rows = await this.#redis.lrange(`${this.#prefix}:${conversation}`, 0, -1);
    return rows.flatMap((row) => {
      try {
        const parsed = JSON.parse(row) as Partial<Exchange>;
        return typeof parsed.question === 'string' && typeof parsed.answer === 'string'
          ? [{ question: parsed.question, answer: parsed.answer }]
          : [];
      } catch {
        return [];
      }
    });
  }

  async record(conversation: string, runId: string, exchange: Exchange): Promise<void> {
    const key = `${this.#prefix}:${conversation}`;
    const entry = JSON.stringify({
      question: exchange.question,
      answer: exchange.answer.slice(0, MAX_ANSWER),
    });
    await this.#redis.eval(
      RECORD,
      2,
      key,
      `${key}:runs`,
      runId,
      entry,
      String(KEEP),
      String(TTL_SECONDS),
    );
  }
}

/**
 * The question with the conversation so far in front of it, marked as context. The model sees
 * earlier answers as its own earlier words, and earlier questions as what the person asked.
 */
export function withContext(question: string, history: readonly Exchange[]): string {
  if (history.length === 0) return question;
  const earlier = history
    .map(
      (e, i) => `${i + 1}. Asked: ${e.question}\n   Answered: ${e.answer.replace(/\n/g, '\n   ')}`,
    )
    .join('\n');
  return `Earlier in this conversation (context for the follow-up below):\n${earlier}\n\nFollow-up question: ${question}`;
}
