/**
 * Long builds (a policy of 100k rows) pause now and then so the event loop keeps answering
 * requests — and decisions made meanwhile are still served by the previous, complete snapshot.
 *
 * A build pauses when it has run for a slice of time, not after a count of rows: what a row costs
 * differs tenfold between steps (a role link, an index entry, a quoted CSV line) and with how busy
 * the machine is, so only the clock keeps every stretch short. The clock is read once every few
 * items, which costs nothing measurable.
 */
const DEFAULT_SLICE_MS = 2;

/** How often a build pauses. */
export interface Pacing {
  /** Longest stretch (ms) a build runs before it lets the event loop turn (default DEFAULT_SLICE_MS; Infinity: never for time). */
  readonly sliceMs?: number;
  /** Also pause every this many items (0 or absent: only by time). Tests use it to interleave decisions densely. */
  readonly yieldEvery?: number;
  /** The running build's pauses, shared by all its steps so a slice spans them. */
  readonly turns?: Turns;
}

/** Never pauses: for the policy CLI, where nothing else waits for the event loop. */
export const NO_PAUSES: Pacing = { sliceMs: Infinity };

/** Items between two looks at the clock. */
const CLOCK_EVERY = 32;

export class Turns {
  private readonly sliceMs: number;
  private readonly every: number;
  private started = performance.now();
  private count = 0;

  constructor(pacing: Pacing = {}) {
    this.sliceMs = pacing.sliceMs ?? DEFAULT_SLICE_MS;
    this.every = pacing.yieldEvery ?? 0;
  }

  /** Call once per item; true when the build should `await turns.pause()` now. */
  due(): boolean {
    const n = ++this.count;
    if (this.every > 0 && n % this.every === 0) return true;
    return (
      n % CLOCK_EVERY === 0 &&
      this.sliceMs !== Infinity &&
      performance.now() - this.started >= this.sliceMs
    );
  }

  /** Lets the event loop turn (pending I/O and timers run), then starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.started = performance.now();
  }

  /** Between steps that have no loop of their own: pauses if the slice is used up. */
  async between(): Promise<void> {
    if (
      this.every > 0 ||
      (this.sliceMs !== Infinity && performance.now() - this.started >= this.sliceMs)
    )
      await this.pause();
  }
}

/** The build's Turns: the ones it is already running with, or new ones. */
export function turnsOf(pacing: Pacing): Turns {
  return pacing.turns ?? new Turns(pacing);
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
