import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError } from '../../http/http-error.ts';
import { readJson } from '../../http/read-body.ts';
import type { Route } from '../../http/router.ts';
import { onlyAllowedHosts, staticRoutes } from '../../http/static-pages.ts';
import { formatIssues } from '../../shared/format-issues.ts';
import { type Button, LIMITS } from '../message.ts';
import { isStreamId, WebChannelId } from './entry.ts';
import type { LiveStreams } from './live-stream.ts';
import type { WebStore } from './store.ts';

const STATIC_DIR = new URL('./static/', import.meta.url);
/** People can open channels by posting in them; this many and no more, since each one is kept. */
const MAX_CHANNELS = 100;
const PostedMessage = z.object({
  text: z.string().trim().min(1, 'must not be empty').max(3000, 'must be at most 3000 characters'),
  author: z
    .string()
    .trim()
    .regex(/^[\p{L}\p{N} ._-]{1,40}$/u, 'must be 1-40 letters, digits, spaces, ".", "_" or "-"')
    .default('web-user'),
});

/** A message someone posted, for the bot to act on (commands); stored before it is called. */
export type PostedHandler = (posted: {
  channel: string;
  author: string;
  text: string;
  id: string;
}) => Promise<void>;

const Click = z.object({
  entry: z.string().refine(isStreamId, 'must be an entry id'),
  button: z
    .number()
    .int()
    .min(0)
    .max(LIMITS.buttons - 1),
  author: PostedMessage.shape.author,
});

/** A button someone clicked in the console, as it was stored with its message. */
export type ClickHandler = (click: {
  channel: string;
  author: string;
  button: Button;
  clickId: string;
  /** The request, for who is signed in. */
  req: IncomingMessage;
}) => Promise<void>;

/** The web console: its page, its channel list, its live stream, its message box and buttons. */
export function webConsoleRoutes(
  store: WebStore,
  streams: LiveStreams,
  allowedHosts: readonly string[],
  onPosted?: PostedHandler,
  onClick?: ClickHandler,
  /**
   * Where people sign in, who they are: nothing is read, posted or clicked without a session, and
   * the typed name is replaced by the signed-in one. Unset, the console is open (loopback only).
   */
  signedIn?: (
    req: IncomingMessage,
  ) => Promise<
    | { ok: true; name: string; session: string | undefined }
    | { ok: false; status: number; reason: string }
  >,
): Route[] {
  /** Who is signed in, or undefined when the console has no sign-in; refuses everyone else. */
  const signedInAs = async (req: IncomingMessage) => {
    if (signedIn === undefined) return undefined;
    const found = await signedIn(req);
    if (!found.ok) throw new HttpError(found.status, `${found.reason} (at /dashboard)`);
    return found;
  };
  const session = async (req: IncomingMessage): Promise<string | undefined> =>
    (await signedInAs(req))?.name;
  const pages = staticRoutes(STATIC_DIR, {
    '/': 'index.html',
    '/console.js': 'console.js',
    '/render.js': 'render.js',
    '/console.css': 'console.css',
  });
  const routes: Route[] = [
    ...pages,
    {
      method: 'GET',
      path: '/api/channels',
      async handler({ req }) {
        await session(req);
        return { status: 200, body: { channels: await store.channels() } };
      },
    },
    {
      method: 'GET',
      path: '/api/stream',
      async handler({ req, res, url }) {
        const found = await signedInAs(req);
        const channel = channelParam(url.searchParams.get('channel') ?? 'alerts');
        const lastHeader = req.headers['last-event-id'];
        const lastEventId =
          typeof lastHeader === 'string' && isStreamId(lastHeader) ? lastHeader : undefined;
        if (streams.full)
          throw new HttpError(503, 'too many console streams open', {
            headers: { 'retry-after': '10' },
          });
        // A stream outlives its request: it ends when the session does (signed out, token changed).
        const streamSession =
          signedIn === undefined || found === undefined
            ? undefined
            : { key: found.session, stillAllowed: async () => (await signedIn(req)).ok };
        await streams.open(res, channel, lastEventId, streamSession);
        return undefined;
      },
    },
    {
      method: 'POST',
      path: '/api/channels/:channel/messages',
      async handler({ req, params }) {
        const signedInAs = await session(req);
        const channel = channelParam(params.channel ?? '');
        // A JSON content type keeps other sites' plain form posts out (they cannot send one).
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          throw new HttpError(415, 'content-type must be application/json');
        }
        const parsed = PostedMessage.safeParse(await readJson(req, 64 * 1024));
        if (!parsed.success) {
          throw new HttpError(
            400,
            `invalid message: ${formatIssues(parsed.error.issues).join('; ')}`,
          );
        }
        const { text } = parsed.data;
        const author = signedInAs ?? parsed.data.author;
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
    {
      method: 'POST',
      path: '/api/channels/:channel/clicks',
      async handler({ req, params }) {
        const signedInAs = await session(req);
        const channel = channelParam(params.channel ?? '');
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          throw new HttpError(415, 'content-type must be application/json');
        }
        const parsed = Click.safeParse(await readJson(req, 4 * 1024));
        if (!parsed.success)
          throw new HttpError(
            400,
            `invalid click: ${formatIssues(parsed.error.issues).join('; ')}`,
          );
        const { entry: entryId, button: index } = parsed.data;
        const author = signedInAs ?? parsed.data.author;
        let entry: Awaited<ReturnType<WebStore['entry']>>;
        try {
          entry = await store.entry(channel, entryId);
        } catch (error) {
          throw new HttpError(503, 'message store unavailable, retry later', { cause: error });
        }
        // The button is the one stored with the message, never what the browser says it was.
        const button = entry?.bot ? entry.message.buttons[index] : undefined;
        if (button === undefined) throw new HttpError(404, 'no such button in that message');
        try {
          await onClick?.({ channel, author, button, clickId: randomUUID(), req });
        } catch (error) {
          throw new HttpError(503, 'the click could not be acted on; retry later', {
            cause: error,
          });
        }
        return { status: 202, body: { accepted: true } };
      },
    },
  ];
  return routes.map((route) => ({
    ...route,
    handler: onlyAllowedHosts(route.handler, allowedHosts),
  }));
}

function channelParam(value: string): string {
  const parsed = WebChannelId.safeParse(value);
  if (!parsed.success)
    throw new HttpError(400, `invalid channel: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
