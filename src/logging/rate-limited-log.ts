/**
 * A bound on how many log lines one kind of event may write: the first `burst` lines of each kind
 * per interval are written as they come; beyond that they are counted, and the count is written
 * with the first line of the kind in a later interval. A flood of bad requests (each one a WARN)
 * then costs the log a few lines per interval instead of one per request — the disk cannot be
 * filled and the event loop is not spent formatting log lines — while an administrator still
 * sees every kind of problem, and how often it happened.
 */
export class RateLimitedLog {
  private readonly kinds = new Map<
    string,
    { windowStart: number; written: number; suppressed: number }
  >();

  constructor(
    private readonly burst = 20,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes `line` with `write` unless this kind is over its budget; returns whether it wrote. */
  write(kind: string, line: string, write: (line: string) => void): boolean {
    const now = this.now();
    let state = this.kinds.get(kind);
    if (!state || now - state.windowStart >= this.intervalMs) {
      const suppressed = state?.suppressed ?? 0;
      state = { windowStart: now, written: 0, suppressed: 0 };
      this.kinds.set(kind, state);
      if (suppressed > 0)
        line = `${line} (and ${suppressed} more like it not logged in the previous ${Math.round(this.intervalMs / 1000)} s)`;
    }
    if (state.written >= this.burst) {
      state.suppressed += 1;
      return false;
    }
    state.written += 1;
    write(line);
    return true;
  }
}
