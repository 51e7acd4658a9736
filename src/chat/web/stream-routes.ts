import { HttpError } from '../../http/http-error.ts';
import type { Route } from '../../http/router.ts';
import { channelParam, type SignedIn, sessionName, signedInAs } from './console-request.ts';
import { isStreamId } from './entry.ts';
import type { LiveStreams } from './live-stream.ts';
import type { WebStore } from './store.ts';

/**
 * The channel list, a channel's live stream from where the browser left off, and a message's
 * thread read whole (the live stream brings what comes after).
 */
export function streamRoutes(
  store: WebStore,
  streams: LiveStreams,
  signedIn: SignedIn | undefined,
): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/channels',
      async handler({ req }) {
        await sessionName(signedIn, req);
        return { status: 200, body: { channels: await store.channels() } };
      },
    },
    {
      method: 'GET',
      path: '/api/channels/:channel/threads/:entry',
      async handler({ req, params }) {
        await sessionName(signedIn, req);
        const channel = channelParam(params.channel ?? '');
        const root = params.entry ?? '';
        if (!isStreamId(root)) throw new HttpError(400, 'invalid thread: must be an entry id');
        let entries: Awaited<ReturnType<WebStore['thread']>>;
        try {
          entries = await store.thread(channel, root);
        } catch (error) {
          throw new HttpError(503, 'message store unavailable, retry later', { cause: error });
        }
        return { status: 200, body: { entries } };
      },
    },
    {
      method: 'GET',
      path: '/api/stream',
      async handler({ req, res, url }) {
        const found = await signedInAs(signedIn, req);
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
  ];
}
