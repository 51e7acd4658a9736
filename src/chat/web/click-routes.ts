import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HttpError } from '../../http/http-error.ts';
import type { Route } from '../../http/router.ts';
import { type Button, LIMITS } from '../message.ts';
import type { ClickHandler } from './console-click.ts';
import { Author, readPost, type SignedIn } from './console-request.ts';
import { isStreamId } from './entry.ts';
import type { WebStore } from './store.ts';

const Click = z.object({
  entry: z.string().refine(isStreamId, 'must be an entry id'),
  button: z
    .number()
    .int()
    .min(0)
    .max(LIMITS.buttons - 1),
  author: Author,
});

/** The buttons: a click names a stored message and one of its buttons, handed to the bot. */
export function clickRoutes(
  store: WebStore,
  signedIn: SignedIn | undefined,
  onClick: ClickHandler | undefined,
): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/channels/:channel/clicks',
      async handler({ req, params }) {
        const { signedInName, channel, data } = await readPost(
          req,
          params.channel ?? '',
          signedIn,
          {
            schema: Click,
            maxBytes: 4 * 1024,
            what: 'click',
          },
        );
        const author = signedInName ?? data.author;
        const { button, thread } = await storedButton(store, channel, data.entry, data.button);
        try {
          await onClick?.({ channel, author, button, thread, clickId: randomUUID(), req });
        } catch (error) {
          throw new HttpError(503, 'the click could not be acted on; retry later', {
            cause: error,
          });
        }
        return { status: 202, body: { accepted: true } };
      },
    },
  ];
}

/**
 * The button is the one stored with the bot's message, never what the browser says it was; the
 * thread is the message's, where what the click brings is answered.
 */
async function storedButton(
  store: WebStore,
  channel: string,
  entryId: string,
  index: number,
): Promise<{ button: Button; thread: string | undefined }> {
  let entry: Awaited<ReturnType<WebStore['entry']>>;
  try {
    entry = await store.entry(channel, entryId);
  } catch (error) {
    throw new HttpError(503, 'message store unavailable, retry later', { cause: error });
  }
  const button = entry?.bot ? entry.message.buttons[index] : undefined;
  if (button === undefined) throw new HttpError(404, 'no such button in that message');
  return { button, thread: entry?.thread };
}
