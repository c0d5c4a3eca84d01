/**
 * casbin's globMatch compiles its pattern with minimatch on every call (about 10 µs, more than
 * everything else a decision does). It is a pure function of two strings, so the indexed engine
 * remembers its results — for a bounded number of pairs, forgotten all at once when full; the
 * answers are casbin's own.
 */
export function memoizedStringPredicate(
  fn: (a: string, b: string) => boolean,
  limit = 10_000,
): (a: unknown, b: unknown) => boolean {
  let results = new Map<string, Map<string, boolean>>();
  let size = 0;
  return (a, b) => {
    if (typeof a !== 'string' || typeof b !== 'string') return fn(a as string, b as string);
    let byA = results.get(b);
    const known = byA?.get(a);
    if (known !== undefined) return known;
    const result = fn(a, b);
    if (++size > limit) {
      results = new Map();
      size = 1;
      byA = undefined;
    }
    if (!byA) results.set(b, (byA = new Map<string, boolean>()));
    byA.set(a, result);
    return result;
  };
}
