import type { ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { compareStreamIds, type StoredEntry } from './entry.ts';
import type { WebStore } from './store.ts';

const BACKLOG = 200;
const CATCH_UP_LIMIT = 1_000;
const CATCH_UP_ATTEMPTS = 8;
const HEARTBEAT_MS = 15_000;
/** A browser this far behind is dropped; it reconnects and catches up from its last event id. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const MAX_CLIENTS = 500;

type Client = {
  channel: string;
  res: ServerResponse;
  lastSent: string | undefined;
  /** Entries that arrived while the backlog was being read. */
  pending: StoredEntry[] | undefined;
  knownChannels: Set<string>;
  session: StreamSession | undefined;
};

/** The session a stream was opened in: it ends when the session does. */
type StreamSession = {
  /** Named when the session ends (signed out), to end its streams at once. */
  key: string | undefined;
  /** Asked at each heartbeat, for what ends a session without a sign-out (token changed, expiry). */
  stillAllowed: () => Promise<boolean>;
};

/**
 * Server-sent events for the web console: a `channels` event with the channel list, then the
 * selected channel's entries as `message` events whose ids are stream ids, so that a browser that
 * reconnects with Last-Event-ID gets exactly what it missed.
 */
export class LiveStreams {
  readonly #store: WebStore;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #clients = new Set<Client>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(store: WebStore, log: Logger, metrics: Metrics) {
    this.#store = store;
    this.#log = log;
    this.#metrics = metrics;
    store.on('entry', (entry) => this.#onEntry(entry));
    store.on('resync', () => this.#resync());
    this.#heartbeat = setInterval(() => {
      for (const client of this.#clients) {
        write(client, ': keep-alive\n\n');
        this.#checkAllowed(client);
      }
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  get full(): boolean {
    return this.#clients.size >= MAX_CLIENTS;
  }

  async open(
    res: ServerResponse,
    channel: string,
    lastEventId: string | undefined,
    session?: StreamSession,
  ): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const client: Client = {
      channel,
      res,
      lastSent: lastEventId,
      pending: [],
      knownChannels: new Set(),
      session,
    };
    this.#clients.add(client);
    this.#metrics.consoleClients.set(this.#clients.size);
    res.on('close', () => {
      this.#clients.delete(client);
      this.#metrics.consoleClients.set(this.#clients.size);
    });
    try {
      const channels = await this.#store.channels();
      if (!channels.includes(channel)) channels.push(channel);
      sendChannels(client, channels);
      const backlog = await this.#store.history(
        channel,
        lastEventId,
        lastEventId ? CATCH_UP_LIMIT : BACKLOG,
      );
      for (const entry of backlog) sendEntry(client, entry);
    } catch (error) {
      this.#log.warn(
        { err: { message: (error as Error).message }, channel },
        'console stream failed to start',
      );
      res.destroy();
      return;
    }
    const pending = client.pending ?? [];
    client.pending = undefined;
    for (const entry of pending) sendEntry(client, entry);
  }

  /** Ends every stream; browsers reconnect elsewhere or when the bot is back. */
  closeAll(): void {
    clearInterval(this.#heartbeat);
    for (const client of this.#clients) client.res.end();
    this.#clients.clear();
    this.#metrics.consoleClients.set(0);
  }

  /** Ends at once the streams of a session that ended; the browser's reconnect is refused. */
  endSession(key: string): void {
    for (const client of this.#clients) {
      if (client.session?.key !== key) continue;
      client.res.end();
      this.#clients.delete(client);
    }
    this.#metrics.consoleClients.set(this.#clients.size);
  }

  /** Ends a stream whose session ended; one that cannot be checked ends too (it reconnects). */
  #checkAllowed(client: Client) {
    client.session
      ?.stillAllowed()
      .then((allowed) => {
        if (!allowed) client.res.destroy();
      })
      .catch(() => client.res.destroy());
  }

  #onEntry(entry: StoredEntry) {
    for (const client of this.#clients) {
      if (!client.knownChannels.has(entry.channel)) {
        client.knownChannels.add(entry.channel);
        write(client, `event: channel\ndata: ${JSON.stringify(entry.channel)}\n\n`);
      }
      if (client.channel !== entry.channel) continue;
      if (client.pending !== undefined) client.pending.push(entry);
      else sendEntry(client, entry);
    }
  }

  /** Reads what a client missed; the store's connection may come back a moment after the feed's. */
  async #catchUp(client: Client): Promise<StoredEntry[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#store.history(client.channel, client.lastSent, CATCH_UP_LIMIT);
      } catch (error) {
        if (attempt >= CATCH_UP_ATTEMPTS || client.res.destroyed) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }

  /** After the live feed was cut, each client reads what it missed from the stream. */
  #resync() {
    for (const client of this.#clients) {
      if (client.pending !== undefined) continue;
      client.pending = [];
      this.#catchUp(client)
        .then((missed) => {
          for (const entry of missed) sendEntry(client, entry);
        })
        .catch((error: unknown) => {
          // The browser reconnects with its Last-Event-ID and catches up then.
          this.#log.warn(
            { err: { message: (error as Error).message } },
            'console stream could not catch up',
          );
          client.res.destroy();
        })
        .finally(() => {
          const pending = client.pending ?? [];
          client.pending = undefined;
          for (const entry of pending) sendEntry(client, entry);
        });
    }
  }
}

function sendChannels(client: Client, channels: string[]) {
  for (const channel of channels) client.knownChannels.add(channel);
  write(client, `event: channels\ndata: ${JSON.stringify(channels)}\n\n`);
}

/** Sends an entry unless the client already has it (backlog and live feed overlap). */
function sendEntry(client: Client, entry: StoredEntry) {
  if (client.lastSent !== undefined && compareStreamIds(entry.id, client.lastSent) <= 0) return;
  client.lastSent = entry.id;
  write(client, `id: ${entry.id}\nevent: message\ndata: ${JSON.stringify(entry)}\n\n`);
}

function write(client: Client, chunk: string) {
  if (client.res.destroyed || client.res.writableEnded) return;
  client.res.write(chunk);
  if (client.res.writableLength > MAX_BUFFERED_BYTES) client.res.destroy();
}
