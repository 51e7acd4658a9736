import type { IncomingMessage, Server } from 'node:http';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { randomText } from './discord-ids.ts';
import * as wire from './discord-payloads.ts';
import type { DiscordWorld } from './discord-world.ts';

/**
 * The gateway half of the local Discord: plain JSON frames over a WebSocket (no zlib), HELLO,
 * IDENTIFY → READY and GUILD_CREATE, heartbeats and their ACKs, RESUME with the events missed
 * replayed, and dispatches filtered by the intents the client identified with.
 *
 * Close codes follow Discord's: a wrong token closes with 4004, a payload before IDENTIFY with
 * 4003, a second IDENTIFY with 4005. A client asking for another version, encoding or compression
 * is closed with 4012, which discord.js does not retry, and the reason lands in `problems`.
 */
const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

const Frame = z.looseObject({ op: z.number().int(), d: z.unknown() });

export const Identify = z.looseObject({
  token: z.string(),
  intents: z.number().int().min(0),
  properties: z.looseObject({ os: z.string(), browser: z.string(), device: z.string() }),
  compress: z.boolean().optional(),
  large_threshold: z.number().int().optional(),
  shard: z.tuple([z.number().int(), z.number().int()]).optional(),
  presence: z.unknown().optional(),
});
export type Identify = z.infer<typeof Identify>;

const Resume = z.looseObject({ token: z.string(), session_id: z.string(), seq: z.number().int() });
const MembersRequest = z.looseObject({
  guild_id: z.string(),
  user_ids: z.union([z.string(), z.array(z.string())]).optional(),
  nonce: z.string().optional(),
});

type DispatchFrame = { op: 0; t: string; s: number; d: unknown };

type Session = {
  id: string;
  intents: number;
  seq: number;
  socket: WebSocket | undefined;
  log: DispatchFrame[];
};

export type GatewayOptions = {
  token: string;
  heartbeatIntervalMs: number;
  url: () => string;
};

export class Gateway {
  /** The last IDENTIFY a client sent. */
  identify: Identify | undefined;
  readonly problems: string[] = [];
  heartbeats = 0;
  identifies = 0;
  resumes = 0;
  readonly #world: DiscordWorld;
  readonly #options: GatewayOptions;
  readonly #server: WebSocketServer;
  readonly #sessions = new Map<string, Session>();

  constructor(server: Server, world: DiscordWorld, options: GatewayOptions) {
    this.#world = world;
    this.#options = options;
    this.#server = new WebSocketServer({ server });
    this.#server.on('connection', (socket, request) => this.#connect(socket, request));
  }

  /** How many clients hold a live gateway connection now. */
  get openConnections(): number {
    return [...this.#server.clients].filter((socket) => socket.readyState === 1).length;
  }

  /** Whether some client has identified (or resumed) and is still connected. */
  get connected(): boolean {
    return [...this.#sessions.values()].some((s) => s.socket?.readyState === 1);
  }

  /**
   * Sends an event to every session; `build` gets the session's intents and returns the event's
   * data, or undefined when those intents do not receive it. A session whose socket dropped keeps
   * the event for its RESUME.
   */
  dispatch(event: string, build: (intents: number) => unknown): void {
    for (const session of this.#sessions.values()) {
      const data = build(session.intents);
      if (data !== undefined) {
        this.lastSent.set(event, data);
        this.#dispatchTo(session, event, data);
      }
    }
  }

  /** The data of the last event of each name sent, for tests that send variations of it. */
  readonly lastSent = new Map<string, unknown>();

  /** Drops the live connections as a network blip would; the client is expected to RESUME. */
  disconnect(code: number): void {
    for (const session of this.#sessions.values()) session.socket?.close(code, 'test disconnect');
  }

  async close(): Promise<void> {
    const sockets = [...this.#server.clients];
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              socket.terminate();
              resolve();
            }, 500);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            // 4004 is one of the codes discord.js treats as final, so a client still connected
            // stops instead of reconnecting forever to a server that is gone.
            socket.close(4004, 'the local Discord closed');
          }),
      ),
    );
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #connect(socket: WebSocket, request: IncomingMessage): void {
    const query = new URL(request.url ?? '/', 'ws://localhost').searchParams;
    const version = query.get('v');
    const encoding = query.get('encoding');
    const compress = query.get('compress');
    const refusal =
      version !== '10'
        ? `gateway v=${version} asked; only v=10`
        : encoding !== 'json'
          ? `gateway encoding=${encoding} asked; only json`
          : compress !== null
            ? `gateway compress=${compress} asked; frames are plain JSON only (is zlib-sync installed?)`
            : undefined;
    if (refusal !== undefined) {
      this.#refuse(socket, refusal);
      return;
    }
    const connection: { session: Session | undefined } = { session: undefined };
    socket.on('message', (data, isBinary) => this.#receive(socket, connection, data, isBinary));
    socket.on('close', (code) => {
      const session = connection.session;
      if (session === undefined || session.socket !== socket) return;
      session.socket = undefined;
      // Closing with 1000 or 1001 ends the session on Discord's side: it cannot be resumed.
      if (code === 1000 || code === 1001) this.#sessions.delete(session.id);
      this.#world.changed();
    });
    this.#send(socket, {
      op: Op.Hello,
      d: { heartbeat_interval: this.#options.heartbeatIntervalMs },
      s: null,
      t: null,
    });
  }

  #refuse(socket: WebSocket, problem: string): void {
    this.problems.push(problem);
    socket.close(4012, problem.slice(0, 120));
    this.#world.changed();
  }

  #receive(
    socket: WebSocket,
    connection: { session: Session | undefined },
    data: RawData,
    isBinary: boolean,
  ): void {
    const parsed = isBinary ? undefined : Frame.safeParse(parseJson(rawText(data)));
    if (parsed === undefined || !parsed.success) {
      socket.close(4002, 'Error while decoding payload.');
      return;
    }
    const { op, d } = parsed.data;
    if (op === Op.Heartbeat) {
      this.heartbeats += 1;
      this.#send(socket, { op: Op.HeartbeatAck });
      this.#world.changed();
      return;
    }
    if (op === Op.Identify) {
      if (connection.session !== undefined) {
        socket.close(4005, 'Already authenticated.');
        return;
      }
      connection.session = this.#identify(socket, d);
      return;
    }
    if (op === Op.Resume) {
      connection.session = this.#resume(socket, d);
      return;
    }
    if (connection.session === undefined) {
      socket.close(4003, 'Not authenticated.');
      return;
    }
    if (op === Op.RequestGuildMembers) {
      this.#members(connection.session, d);
      return;
    }
    if (op !== Op.PresenceUpdate && op !== Op.VoiceStateUpdate) {
      socket.close(4001, 'Unknown opcode.');
    }
  }

  #identify(socket: WebSocket, data: unknown): Session | undefined {
    const parsed = Identify.safeParse(data);
    if (!parsed.success) {
      socket.close(4002, 'Error while decoding payload.');
      return undefined;
    }
    const identify = parsed.data;
    if (identify.token !== this.#options.token) {
      this.problems.push('IDENTIFY with a token the local Discord does not know');
      socket.close(4004, 'Authentication failed.');
      this.#world.changed();
      return undefined;
    }
    if (identify.compress === true) {
      this.#refuse(socket, 'IDENTIFY asked for compress: true; frames are plain JSON only');
      return undefined;
    }
    if (identify.shard !== undefined && (identify.shard[0] !== 0 || identify.shard[1] !== 1)) {
      socket.close(4010, 'Invalid shard.');
      return undefined;
    }
    this.identify = identify;
    this.identifies += 1;
    const session: Session = {
      id: randomText(16),
      intents: identify.intents,
      seq: 0,
      socket,
      log: [],
    };
    this.#sessions.set(session.id, session);
    const world = this.#world;
    this.#dispatchTo(session, 'READY', {
      v: 10,
      user: {
        ...world.user(world.botUserId),
        flags: 0,
        verified: true,
        mfa_enabled: false,
        email: null,
      },
      guilds: [{ id: world.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: this.#options.url(),
      session_type: 'normal',
      shard: [0, 1],
      application: { id: world.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      user_settings: {},
    });
    this.#dispatchTo(session, 'GUILD_CREATE', wire.guildCreate(world));
    world.changed();
    return session;
  }

  #resume(socket: WebSocket, data: unknown): Session | undefined {
    const parsed = Resume.safeParse(data);
    if (!parsed.success) {
      socket.close(4002, 'Error while decoding payload.');
      return undefined;
    }
    if (parsed.data.token !== this.#options.token) {
      socket.close(4004, 'Authentication failed.');
      return undefined;
    }
    const session = this.#sessions.get(parsed.data.session_id);
    if (session === undefined) {
      this.#send(socket, { op: Op.InvalidSession, d: false, s: null, t: null });
      return undefined;
    }
    session.socket = socket;
    for (const frame of session.log) {
      if (frame.s > parsed.data.seq) socket.send(JSON.stringify(frame));
    }
    this.resumes += 1;
    this.#dispatchTo(session, 'RESUMED', {});
    this.#world.changed();
    return session;
  }

  /** GUILD_MEMBERS_CHUNK for REQUEST_GUILD_MEMBERS, so `guild.members.fetch()` does not hang. */
  #members(session: Session, data: unknown): void {
    const parsed = MembersRequest.safeParse(data);
    if (!parsed.success) return;
    const request = parsed.data;
    const world = this.#world;
    const ids =
      request.user_ids === undefined ? [world.botUserId, world.ownerId] : [request.user_ids].flat();
    this.#dispatchTo(session, 'GUILD_MEMBERS_CHUNK', {
      guild_id: world.guildId,
      members: ids.map((id) => wire.memberWithUser(world, id)),
      chunk_index: 0,
      chunk_count: 1,
      ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
    });
  }

  #dispatchTo(session: Session, event: string, data: unknown): void {
    session.seq += 1;
    const frame: DispatchFrame = { op: Op.Dispatch, t: event, s: session.seq, d: data };
    session.log.push(frame);
    if (session.socket?.readyState === 1) session.socket.send(JSON.stringify(frame));
  }

  #send(socket: WebSocket, frame: unknown): void {
    if (socket.readyState === 1) socket.send(JSON.stringify(frame));
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
