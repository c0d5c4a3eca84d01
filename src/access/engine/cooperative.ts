/**
 * Long builds (a policy of 100k rows) pause now and then so the event loop keeps answering
 * requests — and decisions made meanwhile are still served by the previous, complete snapshot.
 */
export const DEFAULT_YIELD_EVERY = 4096;

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** True every `every` items (never when `every` is 0), for `if (due(i, n)) await nextTurn()`. */
export function due(index: number, every: number): boolean {
  return every > 0 && index > 0 && index % every === 0;
}
