import { z } from 'zod';
import { HttpError } from '../../http/http-error.ts';
import type { Route } from '../../http/router.ts';
import { Author, readPost, type SignedIn } from './console-request.ts';
import { isStreamId } from './entry.ts';
import type { WebStore } from './store.ts';

/** People can open channels by posting in them; this many and no more, since each one is kept. */
const MAX_CHANNELS = 100;
const PostedMessage = z.object({
  text: z.string().trim().min(1, 'must not be empty').max(3000, 'must be at most 3000 characters'),
  author: Author,
  /** Posted in the thread of this entry of the channel. */
  thread: z.string().refine(isStreamId, 'must be an entry id').optional(),
});

/** A message someone posted, for the bot to act on (commands); stored before it is called. */
export type PostedHandler = (posted: {
  channel: string;
  author: string;
  text: string;
  id: string;
  /** The first entry of the thread it was posted in. */
  thread: string | undefined;
}) => Promise<void>;

/** The message box: a posted message is stored in its channel, then handed to the bot. */
export function messageRoutes(
  store: WebStore,
  signedIn: SignedIn | undefined,
  onPosted: PostedHandler | undefined,
): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/channels/:channel/messages',
      async handler({ req, params }) {
        const { signedInName, channel, data } = await readPost(
          req,
          params.channel ?? '',
          signedIn,
          {
            schema: PostedMessage,
            maxBytes: 64 * 1024,
            what: 'message',
          },
        );
        const { text } = data;
        const author = signedInName ?? data.author;
        const thread =
          data.thread === undefined ? undefined : await threadRoot(store, channel, data.thread);
        const id = await storePosted(store, channel, { author, text, thread });
        try {
          await onPosted?.({ channel, author, text, id, thread });
        } catch (error) {
          throw new HttpError(
            503,
            'your message was posted but could not be acted on; retry later',
            { cause: error },
          );
        }
        return { status: 201, body: { id, channel } };
      },
    },
  ];
}

/**
 * The thread a message posted in reply to an entry goes in: that entry's own thread when it is a
 * reply itself (threads do not nest), else the entry's. A 404 when the channel has no such entry.
 */
async function threadRoot(store: WebStore, channel: string, entryId: string): Promise<string> {
  let entry: Awaited<ReturnType<WebStore['entry']>>;
  try {
    entry = await store.entry(channel, entryId);
  } catch (error) {
    throw new HttpError(503, 'message store unavailable, retry later', { cause: error });
  }
  if (entry === undefined) throw new HttpError(404, 'no such message in this channel to reply to');
  return entry.thread ?? entry.replaces ?? entry.id;
}

/** Appends a person's message to its channel: its entry id, or the HTTP error saying why not. */
async function storePosted(
  store: WebStore,
  channel: string,
  posted: { author: string; text: string; thread: string | undefined },
): Promise<string> {
  const { author, text, thread } = posted;
  let id: string | undefined;
  try {
    id = await store.append(
      channel,
      {
        at: new Date().toISOString(),
        author,
        bot: false,
        message: { text, tone: 'neutral', fields: [], sections: [], links: [], buttons: [] },
        ...(thread === undefined ? {} : { thread }),
      },
      { maxChannels: MAX_CHANNELS },
    );
  } catch (error) {
    throw new HttpError(503, 'message store unavailable, retry later', { cause: error });
  }
  if (id === undefined) {
    throw new HttpError(
      409,
      `the console has ${MAX_CHANNELS} channels already; post in one of them`,
    );
  }
  return id;
}
