import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ChannelRef } from '../shared/channel.ts';
import { Rating, SubjectKind, type SubjectRef, subjectKey } from './feedback-value.ts';

/**
 * Feedback in Redis, as eval cases. When an answer or a report is posted with the 👍 / 👎
 * buttons, its snapshot is kept (what was asked or reported on, the text as posted, already
 * redacted, the specialists) for `OFFER_SECONDS`; a click in that time records the clicker's
 * rating beside it, one per person (a second click replaces the first), and from then on the
 * subject is kept with its votes, newest votes first in an index of at most `KEPT_SUBJECTS`.
 *
 *   <prefix>:feedback:subject:<key>   hash: subject (JSON), channel, vote:<person> (JSON) …
 *   <prefix>:feedback:index           sorted set of keys, scored by their latest vote
 */
export const QUESTION_CHARS = 4_000;
export const ANSWER_CHARS = 6_000;

/** What a rating is about, as it was posted. */
export const FeedbackSubject = z.object({
  kind: SubjectKind,
  /** The ask run's id, or the incident's. */
  id: z.string().min(1).max(300),
  channel: ChannelRef,
  thread: z.string().max(200).optional(),
  /** The question asked; for a report, its headline. */
  question: z.string().max(QUESTION_CHARS),
  /** The text as posted, redacted. */
  answer: z.string().max(ANSWER_CHARS),
  specialists: z.array(z.string().max(100)).max(20),
  postedAt: z.iso.datetime(),
});
export type FeedbackSubject = z.infer<typeof FeedbackSubject>;

const Vote = z.object({ rating: Rating, at: z.iso.datetime() });
type Vote = z.infer<typeof Vote>;

/** One person's rating of one subject: a line of the eval set. */
export type FeedbackCase = {
  runId: string;
  kind: SubjectKind;
  question: string;
  answer: string;
  rating: Rating;
  by: string;
  at: string;
  channel: string;
  thread?: string;
  specialists: string[];
  postedAt: string;
};

export type VoteOutcome =
  | { kind: 'recorded'; subject: SubjectRef; previous: Rating | undefined }
  /** Never offered, or its offer ran out before anyone rated it. */
  | { kind: 'unknown' }
  /** Offered in another channel than the click came from. */
  | { kind: 'elsewhere' };

/** How long a posted answer or report may be rated. */
export const OFFER_SECONDS = 30 * 86_400;
/** Rated subjects kept, newest votes first; the oldest go with their votes. */
export const KEPT_SUBJECTS = 2_000;

/** KEYS: subject hash. ARGV: subject JSON, channel, ttl. A rated subject keeps what was rated. */
const OFFER = `
if redis.call('exists', KEYS[1]) == 1 and redis.call('ttl', KEYS[1]) == -1 then return 0 end
redis.call('hset', KEYS[1], 'subject', ARGV[1], 'channel', ARGV[2])
redis.call('expire', KEYS[1], ARGV[3])
return 1
`;

/**
 * KEYS: subject hash, index. ARGV: channel clicked, person, vote JSON, score, key, kept subjects,
 * subject key prefix. Returns the person's earlier vote ('' for none) and the subject, or
 * `!unknown` / `!elsewhere` with nothing written.
 */
const VOTE = `
local channel = redis.call('hget', KEYS[1], 'channel')
if not channel then return {'!unknown'} end
if channel ~= ARGV[1] then return {'!elsewhere'} end
local field = 'vote:' .. ARGV[2]
local before = redis.call('hget', KEYS[1], field)
redis.call('hset', KEYS[1], field, ARGV[3])
redis.call('persist', KEYS[1])
redis.call('zadd', KEYS[2], ARGV[4], ARGV[5])
local extra = redis.call('zcard', KEYS[2]) - tonumber(ARGV[6])
if extra > 0 then
  for _, old in ipairs(redis.call('zrange', KEYS[2], 0, extra - 1)) do
    redis.call('del', ARGV[7] .. old)
  end
  redis.call('zremrangebyrank', KEYS[2], 0, extra - 1)
end
return {before or '', redis.call('hget', KEYS[1], 'subject')}
`;

export class FeedbackStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #kept: number;

  constructor(redis: Redis, prefix: string, options: { keptSubjects?: number } = {}) {
    this.#redis = redis;
    this.#prefix = `${prefix}:feedback`;
    this.#kept = options.keptSubjects ?? KEPT_SUBJECTS;
  }

  /**
   * Keeps what was posted so that a click can rate it. Offered again (a retried run), it is kept
   * again, unless it was rated already: a rating stays with the text it rated.
   */
  async offer(subject: FeedbackSubject, offerSeconds = OFFER_SECONDS): Promise<void> {
    const parsed = FeedbackSubject.parse(subject);
    await this.#redis.eval(
      OFFER,
      1,
      this.#key(subjectKey(parsed)),
      JSON.stringify(parsed),
      parsed.channel,
      String(offerSeconds),
    );
  }

  /** Records `person`'s rating of the subject under `key`, if it was offered in `channel`. */
  async vote(vote: {
    key: string;
    rating: Rating;
    person: string;
    channel: string;
    at: Date;
  }): Promise<VoteOutcome> {
    const [before, subjectText] = (await this.#redis.eval(
      VOTE,
      2,
      this.#key(vote.key),
      this.#indexKey,
      vote.channel,
      vote.person,
      JSON.stringify({ rating: vote.rating, at: vote.at.toISOString() } satisfies Vote),
      String(vote.at.getTime()),
      vote.key,
      String(this.#kept),
      this.#key(''),
    )) as [string, string?];
    if (before === '!unknown') return { kind: 'unknown' };
    if (before === '!elsewhere') return { kind: 'elsewhere' };
    const subject = readJson(FeedbackSubject, subjectText);
    return {
      kind: 'recorded',
      subject: { kind: subject?.kind ?? 'answer', id: subject?.id ?? vote.key },
      previous: before === '' ? undefined : readJson(Vote, before)?.rating,
    };
  }

  /**
   * Every rating of the `subjects` most recently rated subjects, newest first: one case per
   * person and subject.
   */
  async cases(subjects = this.#kept): Promise<FeedbackCase[]> {
    const keys = await this.#redis.zrevrange(this.#indexKey, 0, subjects - 1);
    if (keys.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const key of keys) pipeline.hgetall(this.#key(key));
    const hashes = (await pipeline.exec()) ?? [];
    return hashes
      .flatMap(([error, hash]) => (error === null ? casesOf(hash as Record<string, string>) : []))
      .sort((a, b) => b.at.localeCompare(a.at));
  }

  #key(key: string): string {
    return `${this.#prefix}:subject:${key}`;
  }

  get #indexKey(): string {
    return `${this.#prefix}:index`;
  }
}

/** A subject's votes as cases; a record that no longer reads (a format since changed) gives none. */
function casesOf(hash: Record<string, string>): FeedbackCase[] {
  const s = readJson(FeedbackSubject, hash.subject);
  if (s === undefined) return [];
  return Object.entries(hash).flatMap(([field, value]) => {
    const vote = field.startsWith('vote:') ? readJson(Vote, value) : undefined;
    if (vote === undefined) return [];
    return [
      {
        runId: s.id,
        kind: s.kind,
        question: s.question,
        answer: s.answer,
        rating: vote.rating,
        by: field.slice('vote:'.length),
        at: vote.at,
        channel: s.channel,
        ...(s.thread === undefined ? {} : { thread: s.thread }),
        specialists: s.specialists,
        postedAt: s.postedAt,
      },
    ];
  });
}

function readJson<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return schema.safeParse(JSON.parse(text)).data;
  } catch {
    return undefined;
  }
}
