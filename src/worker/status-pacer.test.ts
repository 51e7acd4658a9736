import { describe, expect, it } from 'vitest';
import { type Clock, paceReads, RefreshPacer, STATUS_PACE } from './status-pacer.ts';

/** Time that moves only when the test says, running what falls due on the way, in order. */
class TestClock implements Clock {
  #now = 0;
  #due: { at: number; fn: () => void }[] = [];

  now(): number {
    return this.#now;
  }

  later(fn: () => void, ms: number): () => void {
    const entry = { at: this.#now + ms, fn };
    this.#due.push(entry);
    return () => {
      this.#due = this.#due.filter((e) => e !== entry);
    };
  }

  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    while (true) {
      await settle();
      const next = this.#due.filter((e) => e.at <= target).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.#due = this.#due.filter((e) => e !== next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
    await settle();
  }
}

/** Lets promise callbacks run: reads finishing, and what they schedule next. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Reads that take `durationMs` of the test's time each, and when each started. */
function readsOn(clock: TestClock, durationMs = 100) {
  const starts: number[] = [];
  let running = 0;
  let overlapped = false;
  const read = () => {
    starts.push(clock.now());
    running++;
    if (running > 1) overlapped = true;
    return new Promise<void>((resolve) =>
      clock.later(() => {
        running--;
        resolve();
      }, durationMs),
    );
  };
  return { read, starts, overlapped: () => overlapped };
}

describe('the pacing of a cluster status reads', () => {
  it('reads at once, then once a minute while nothing changes', async () => {
    const clock = new TestClock();
    const reads = readsOn(clock);

    const paced = paceReads(new RefreshPacer(STATUS_PACE), reads.read, clock);
    await clock.advance(150_000);
    await paced.stop();

    expect(reads.starts).toEqual([0, 60_000, 120_000]);
  });

  it('reads a change at once when the last read is older than the gap', async () => {
    const clock = new TestClock();
    const reads = readsOn(clock);
    const paced = paceReads(new RefreshPacer(STATUS_PACE), reads.read, clock);
    await clock.advance(10_000);

    paced.changed();
    await clock.advance(1_000);
    await paced.stop();

    expect(reads.starts).toEqual([0, 10_000]);
  });

  it('coalesces a burst of changes into one read once the gap is over', async () => {
    const clock = new TestClock();
    const reads = readsOn(clock);
    const paced = paceReads(new RefreshPacer(STATUS_PACE), reads.read, clock);
    await clock.advance(500);

    for (let i = 0; i < 50; i++) {
      paced.changed();
      await clock.advance(20);
    }
    await clock.advance(10_000);
    await paced.stop();

    expect(reads.starts).toEqual([0, 2_000]);
  });

  it('reads once more after a read during which something changed, never two at a time', async () => {
    const clock = new TestClock();
    const reads = readsOn(clock, 3_000);
    const paced = paceReads(new RefreshPacer(STATUS_PACE), reads.read, clock);
    await clock.advance(1_000);

    paced.changed();
    paced.changed();
    await clock.advance(60_000);
    await paced.stop();

    // The first read took 3 s: the gap after it is ten times that, from its start.
    expect(reads.starts).toEqual([0, 30_000]);
    expect(reads.overlapped()).toBe(false);
  });

  it('counts a change seen during a read as the next read’s, not this one’s', async () => {
    const clock = new TestClock();
    const reads = readsOn(clock, 100);
    const paced = paceReads(new RefreshPacer(STATUS_PACE), reads.read, clock);
    await clock.advance(5_000);
    paced.changed();
    await clock.advance(50);

    paced.changed();
    await clock.advance(5_000);
    await paced.stop();

    expect(reads.starts).toEqual([0, 5_000, 7_000]);
  });

  it('reads nothing more once stopped, and waits for the read under way', async () => {
    const clock = new TestClock();
    const reads = readsOn(clock, 1_000);
    const paced = paceReads(new RefreshPacer(STATUS_PACE), reads.read, clock);
    let stopped = false;
    await clock.advance(10);

    const stopping = paced.stop().then(() => {
      stopped = true;
    });
    await settle();
    const beforeReadEnded = stopped;
    paced.changed();
    await clock.advance(120_000);
    await stopping;

    expect(beforeReadEnded).toBe(false);
    expect(stopped).toBe(true);
    expect(reads.starts).toEqual([0]);
  });
});
