/**
 * When a cluster's status is read again for the dashboard: as soon as a change is seen, unless a
 * read started less than a gap ago, in which case once the gap is over, for every change seen
 * meanwhile (a burst of changes costs one read, not one each); and at least once per floor
 * however quiet the cluster. The gap grows with what a read costs: never under `gapMs`, and at
 * least `costFactor` times the last read's duration, so that a cluster whose lists are slow to
 * read is not read back to back.
 */
export type PaceOptions = { gapMs: number; floorMs: number; costFactor: number };

export const STATUS_PACE: PaceOptions = { gapMs: 2_000, floorMs: 60_000, costFactor: 10 };

export class RefreshPacer {
  readonly #options: PaceOptions;
  /** A change seen that no read started since covers. */
  #changed = false;
  #reading = false;
  #lastStart = Number.NEGATIVE_INFINITY;
  #gapMs: number;

  constructor(options: PaceOptions) {
    this.#options = options;
    this.#gapMs = options.gapMs;
  }

  changed(): void {
    this.#changed = true;
  }

  /** When the next read should start (in the past: now); undefined while one is running. */
  nextReadAt(): number | undefined {
    if (this.#reading) return undefined;
    return this.#lastStart + (this.#changed ? this.#gapMs : this.#options.floorMs);
  }

  started(now: number): void {
    this.#reading = true;
    // Changes seen from here on may have been missed by this read: they are the next one's.
    this.#changed = false;
    this.#lastStart = now;
  }

  finished(now: number): void {
    this.#reading = false;
    this.#gapMs = Math.max(this.#options.gapMs, this.#options.costFactor * (now - this.#lastStart));
  }
}

/** Time as the pacing sees it: the real clock, or a test's. */
export type Clock = {
  now(): number;
  /** Calls `fn` after `ms`; the function returned cancels it. */
  later(fn: () => void, ms: number): () => void;
};

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  later(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export type PacedReads = {
  /** A change was seen: read again as the pacing allows. */
  changed(): void;
  /** No more reads; resolves once the one running, if any, has finished. */
  stop(): Promise<void>;
};

/** Runs `read` as the pacer says, starting now, one at a time, until stopped. */
export function paceReads(
  pacer: RefreshPacer,
  read: () => Promise<void>,
  clock: Clock = REAL_CLOCK,
): PacedReads {
  let stopped = false;
  let cancel: (() => void) | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = () => {
    cancel?.();
    cancel = undefined;
    const at = pacer.nextReadAt();
    if (stopped || at === undefined) return;
    cancel = clock.later(start, Math.max(0, at - clock.now()));
  };
  const start = () => {
    cancel = undefined;
    pacer.started(clock.now());
    running = read()
      .catch(() => undefined)
      .finally(() => {
        pacer.finished(clock.now());
        schedule();
      });
  };
  schedule();
  return {
    changed() {
      pacer.changed();
      schedule();
    },
    async stop() {
      stopped = true;
      cancel?.();
      await running;
    },
  };
}
