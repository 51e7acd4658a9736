import { z } from 'zod';
import { HttpError } from '../../http/http-error.ts';
import type { Route } from '../../http/router.ts';
import { Author, readPost, type SignedIn } from './console-request.ts';
import type { WebStore } from './store.ts';

/** People can open channels by posting in them; this many and no more, since each one is kept. */
const MAX_CHANNELS = 100;
const PostedMessage = z.object({
  text: z.string().trim().min(1, 'must not be empty').max(3000, 'must be at most 3000 characters'),
  author: Author,
});

/** A message someone posted, for the bot to act on (commands); stored before it is called. */
export type PostedHandler = (posted: {
  channel: string;
  author: string;
  text: string;
  id: string;
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
        const id = await storePosted(store, channel, author, text);
        try {
          await onPosted?.({ channel, author, text, id });
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

/** Appends a person's message to its channel: its entry id, or the HTTP error saying why not. */
async function storePosted(
  store: WebStore,
  channel: string,
  author: string,
  text: string,
): Promise<string> {
  let id: string | undefined;
  try {
    id = await store.append(
      channel,
      {
        at: new Date().toISOString(),
        author,
        bot: false,
        message: { text, tone: 'neutral', fields: [], sections: [], links: [], buttons: [] },
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
