import type { Logger } from '../observability/logger.ts';
import type { LeaseRecord, LeaseStore, StoredLease } from './lease-store.ts';

/**
 * Leader election on a Lease, as client-go's leaderelection does it: a replica takes the Lease
 * when there is none, when it already holds it, when it was released, or when it has not been
 * renewed for its duration as seen by this replica's own clock (the time since the Lease last
 * changed here, never the holder's renewTime against our wall clock). The holder renews every
 * third of the duration and steps down when it could not renew for two thirds of it, before any
 * standby can take the Lease. Writes are conditional on the resourceVersion read: of two replicas
 * that try at once, one gets 409 and stays a standby.
 */
export type LeaderElectionOptions = {
  store: LeaseStore;
  identity: string;
  durationSeconds: number;
  log: Logger;
  /** Becomes the leader: takes over what only one replica may hold. A failure gives the Lease up. */
  lead(): Promise<void>;
  /** Stops being the leader: lets go of it all. */
  standDown(): Promise<void>;
  /** A clock that never goes back, in ms; the process's monotonic clock unless a test sets one. */
  now?: () => number;
};

type Observed = { resourceVersion: string; at: number };

export class LeaderElection {
  readonly #options: LeaderElectionOptions;
  readonly #now: () => number;
  readonly #periodMs: number;
  readonly #deadlineMs: number;
  #observed: Observed | undefined;
  /** The holder in the Lease as last read or written. */
  #observedHolder: string | undefined;
  #leading = false;
  /** When the last write that kept or took the Lease was sent, by `#now`. */
  #renewedAt = 0;
  #stopped = false;
  #wake: (() => void) | undefined;
  /** The last takeover, settled once `lead` has finished or failed and been undone. */
  #takingOver: Promise<void> = Promise.resolve();
  #loop: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#periodMs = (options.durationSeconds * 1000) / 3;
    this.#deadlineMs = (options.durationSeconds * 2000) / 3;
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Stands for election until `stop`; resolves at once, leadership comes when it comes. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stands down if leading and releases the Lease, so that a standby takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    if (this.#leading) await this.#stepDown('shutting down');
    else await this.#takingOver;
    // Even when not leading: a round that took the Lease may have ended as the loop stopped.
    await this.release();
  }

  /**
   * One round: reads the Lease and takes or renews it if it may. True when this replica holds it
   * afterwards. Throws when the API server cannot be reached or refuses.
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { store, identity, durationSeconds } = this.#options;
    const sentAt = this.#now();
    const now = new Date();
    const seen = await store.get();
    if (seen === undefined) {
      const record = { holder: identity, durationSeconds, transitions: 0 };
      const writeAt = this.#now();
      return this.#wrote(
        await store.create({ ...record, acquireTime: now, renewTime: now }),
        writeAt,
      );
    }
    this.#observe(seen, sentAt);
    const ours = seen.holder === identity;
    if (!ours && seen.holder !== '' && !this.#expired(seen, sentAt)) return false;
    const record: LeaseRecord = ours
      ? { ...seen, durationSeconds, renewTime: now }
      : {
          holder: identity,
          durationSeconds,
          acquireTime: now,
          renewTime: now,
          transitions: seen.transitions + 1,
        };
    // The write's own send time: no replica can see it before then, however long the read took.
    const writeAt = this.#now();
    return this.#wrote(await store.replace(seen, record), writeAt);
  }

  /** Gives the Lease up if this replica holds it: no holder, and a duration of one second. */
  async release(): Promise<void> {
    const { store, identity, log } = this.#options;
    try {
      const seen = await store.get();
      if (seen === undefined || seen.holder !== identity) return;
      const now = new Date();
      const released = await store.replace(seen, {
        ...seen,
        holder: '',
        durationSeconds: 1,
        renewTime: now,
      });
      if (released !== undefined) log.info('leader lease released');
    } catch (error) {
      log.warn({ err: summary(error) }, 'leader lease could not be released; it will expire');
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const startedAt = this.#now();
      const renewed = await this.#round();
      if (this.#stopped) break;
      if (renewed === 'late') {
        // Taking over may have failed and let go meanwhile.
        if (this.#leading) await this.#stepDown('lease not renewed in time');
      } else if (renewed && !this.#leading) this.#becomeLeader();
      else if (!renewed && this.#leading) await this.#checkDeadline();
      await this.#sleep(this.#pause(renewed === true, startedAt));
    }
  }

  /**
   * Until the next round. A holder renews a period after its last round began, however long that
   * took, so that a slow API server does not push renewals towards the deadline; one whose
   * renewal failed tries again sooner, to renew before its deadline.
   */
  #pause(renewed: boolean, startedAt: number): number {
    if (!this.#leading) return this.#periodMs;
    if (!renewed) return this.#periodMs / 4;
    return Math.max(0, this.#periodMs - (this.#now() - startedAt));
  }

  /**
   * One round; a leader's ends at its renewal deadline at the latest ('late'), so that an API
   * server that answers slowly or not at all cannot keep it leading while a standby, which sees
   * the Lease go unrenewed, takes it. The round itself carries on; only its answer is not awaited.
   */
  async #round(): Promise<boolean | 'late'> {
    const attempt = this.#attempt();
    if (!this.#leading) return attempt;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(
        () => resolve('late'),
        Math.max(0, this.#renewedAt + this.#deadlineMs - this.#now()),
      );
    });
    try {
      return await Promise.race([attempt, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #attempt(): Promise<boolean> {
    try {
      return await this.tryAcquireOrRenew();
    } catch (error) {
      this.#options.log.warn({ err: summary(error) }, 'leader lease request failed');
      return false;
    }
  }

  /**
   * Takes over in the background: connecting to chat may take longer than a renew period, and
   * the Lease must be renewed meanwhile.
   */
  #becomeLeader(): void {
    const { log, lead } = this.#options;
    this.#leading = true;
    log.info({ identity: this.#options.identity }, 'became leader');
    this.#takingOver = lead().catch(async (error: unknown) => {
      log.error({ err: summary(error) }, 'could not take over as leader; giving the lease up');
      if (!this.#leading) return;
      this.#leading = false;
      await this.#letGo();
      await this.release();
    });
  }

  /** Steps down at once when another replica holds the Lease, or when renewal ran out of time. */
  async #checkDeadline(): Promise<void> {
    const holder = this.#observedHolder;
    if (holder !== undefined && holder !== this.#options.identity && holder !== '') {
      await this.#stepDown('another replica holds the lease');
    } else if (this.#now() - this.#renewedAt >= this.#deadlineMs) {
      await this.#stepDown('lease not renewed in time');
    }
  }

  async #stepDown(reason: string): Promise<void> {
    this.#leading = false;
    this.#options.log.warn({ reason }, 'stepping down as leader');
    // A takeover still connecting finishes first, so that what it opens is closed too.
    await this.#takingOver;
    await this.#letGo();
  }

  async #letGo(): Promise<void> {
    try {
      await this.#options.standDown();
    } catch (error) {
      this.#options.log.error({ err: summary(error) }, 'stepping down failed');
    }
  }

  #observe(seen: StoredLease, at: number): void {
    const { identity, log } = this.#options;
    if (seen.holder !== this.#observedHolder && seen.holder !== identity && seen.holder !== '')
      log.info({ holder: seen.holder }, 'another replica leads');
    this.#observedHolder = seen.holder;
    if (this.#observed?.resourceVersion === seen.resourceVersion) return;
    this.#observed = { resourceVersion: seen.resourceVersion, at };
  }

  #expired(seen: StoredLease, at: number): boolean {
    const since = this.#observed?.at ?? at;
    return at - since >= seen.durationSeconds * 1000;
  }

  #wrote(written: StoredLease | undefined, sentAt: number): boolean {
    if (written === undefined) return false;
    this.#observe(written, sentAt);
    // A round answered after a later one (its answer was no longer awaited) keeps the later time.
    this.#renewedAt = Math.max(this.#renewedAt, sentAt);
    return true;
  }

  /** Waits `ms`, or less when `stop` wakes it. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** An error for the log: its message, never a request or its headers. */
function summary(error: unknown): { message: string; code?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { message: error.message, code } : { message: error.message };
}
