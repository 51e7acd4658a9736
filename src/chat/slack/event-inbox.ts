import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.ts';
import { inboxKey } from '../../queue/alert-inbox.ts';
import { LuaScript } from '../../queue/lua-script.ts';
import { type InboxReader, readInbox } from '../../queue/stream-inbox.ts';

/**
 * Slack's events and button clicks over HTTP, verified and acknowledged once they are in Redis:
 * one script appends the request to this inbox (and, for an event, marks its id accepted, so a
 * retry Slack sends is acknowledged without a second entry). Bolt's listeners run after the
 * answer, on the bot that holds the chat connections (`readInbox`): binding checks, claims and
 * jobs are work that can wait, and Slack wants its answer within 3 s.
 */
const ACCEPT = new LuaScript(
  `
if KEYS[2] ~= nil then
  if not redis.call('set', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 0 end
end
redis.call('xadd', KEYS[1], '*', 'body', ARGV[2], 'type', ARGV[3], 'retryNum', ARGV[4], 'retryReason', ARGV[5])
return 1
`,
  // KEYS: the inbox, then the event id's acceptance mark when there is an id (`runWithKeys`).
  1,
);

/** How long the reader lets events gather between reads (`readInbox`'s `gatherMs`). */
const GATHER_MS = 10;

/** Slack retries an event for a few minutes; an hour covers every retry. */
const ACCEPTED_SECONDS = 3_600;

export type InboxRequest = {
  /** The body as received: JSON for events, a form for interactions. */
  body: string;
  contentType: string;
  /** The event's id (`event_id`), for events; absent for clicks. */
  eventId: string | undefined;
  retryNum: number | undefined;
  retryReason: string | undefined;
};

export class SlackEventInbox {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #key: string;

  /** `redis`: the fail-fast producer connection request handlers use. */
  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#key = inboxKey(prefix, 'slack');
  }

  /** `duplicate`: an event already accepted (a retry), acknowledged with nothing added. */
  async accept(request: InboxRequest): Promise<'accepted' | 'duplicate'> {
    const keys =
      request.eventId === undefined
        ? [this.#key]
        : [this.#key, `${this.#prefix}:event:slack-accepted:${request.eventId}`];
    const added = await ACCEPT.runWithKeys(this.#redis, keys, [
      String(ACCEPTED_SECONDS),
      request.body,
      request.contentType,
      request.retryNum === undefined ? '' : String(request.retryNum),
      request.retryReason ?? '',
    ]);
    return added === 1 ? 'accepted' : 'duplicate';
  }

  /**
   * Hands each accepted request to `handle` (Bolt's processing) until stopped. `reader` is a
   * connection of the reader's own; `redis` one that waits out outages.
   */
  read(
    connections: { reader: Redis; redis: Redis },
    handle: (request: InboxRequest) => Promise<void>,
    log: Logger,
  ): InboxReader {
    return readInbox({
      key: this.#key,
      group: 'bots',
      ...connections,
      handle: async (fields) => {
        await handle(requestOf(fields));
        return undefined;
      },
      what: 'Slack events',
      log,
      // Listeners a few ms later, in batches: less of the bot's thread per event, for the acks.
      gatherMs: GATHER_MS,
    });
  }
}

function requestOf(fields: Readonly<Record<string, string>>): InboxRequest {
  const retryNum = Number(fields.retryNum);
  return {
    body: fields.body ?? '',
    contentType: fields.type ?? '',
    eventId: undefined,
    retryNum: fields.retryNum !== '' && Number.isInteger(retryNum) ? retryNum : undefined,
    retryReason: fields.retryReason === '' ? undefined : fields.retryReason,
  };
}
