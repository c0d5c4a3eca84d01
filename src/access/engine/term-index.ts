/**
 * The index of one matcher term over the policy rows: every row filed under the key its index hint
 * gives (exact, prefix, always, never), looked up with the keys of one request.
 */
import { type Candidates, mergeAscending } from './candidates.js';
import type { Turns } from './cooperative.js';
import { ALWAYS, NEVER, type IndexHint, type RequestKeys } from './index-hints.js';

export class TermIndex {
  private readonly exact = new Map<string, number[]>();
  private readonly prefix = new Map<string, number[]>();
  private readonly always: number[] = [];
  /** Distinct prefix lengths, ascending: a lookup tries only these. */
  private prefixLengths: number[] = [];
  private readonly exactKeyOf: (string | undefined)[];
  private readonly prefixKeyOf: (string | undefined)[];
  private readonly alwaysRow: Uint8Array;
  /** About how many rows a lookup gives: the average bucket, plus the rows always included. */
  typical = 0;

  private constructor(readonly hint: IndexHint, rowCount: number) {
    this.alwaysRow = new Uint8Array(rowCount);
    this.exactKeyOf = new Array<string | undefined>(rowCount);
    this.prefixKeyOf = new Array<string | undefined>(rowCount);
  }

  /**
   * Files every row under the key `hint` gives for its value in `column`. A policy repeats its
   * values (the same relying party on thousands of rows), so each distinct value's key is worked
   * out once — and rows with equal values share one key string.
   */
  static async build(hint: IndexHint, rows: readonly (readonly unknown[])[], column: number, turns: Turns): Promise<TermIndex> {
    const index = new TermIndex(hint, rows.length);
    const lengths = new Set<number>();
    const keys = new Map<unknown, FiledKey>();
    for (let row = 0; row < rows.length; row++) {
      if (turns.due()) await turns.pause();
      const value = rows[row]![column];
      let key = keys.get(value);
      if (key === undefined) {
        key = filedKey(hint.rowKey(value));
        keys.set(value, key);
      }
      if (key === NEVER) continue;
      if (key === ALWAYS) {
        index.always.push(row);
        index.alwaysRow[row] = 1;
      } else if (typeof key === 'string') {
        push(index.exact, key, row);
        index.exactKeyOf[row] = key;
      } else {
        push(index.prefix, key.prefix, row);
        index.prefixKeyOf[row] = key.prefix;
        lengths.add(key.prefix.length);
      }
    }
    index.prefixLengths = [...lengths].sort((a, b) => a - b);
    index.typical = index.always.length + average(index.exact) + index.prefixLengths.length * average(index.prefix);
    return index;
  }

  query(keys: RequestKeys): Candidates {
    const buckets: number[][] = [];
    if (this.always.length > 0) buckets.push(this.always);
    if (keys.exact) {
      for (const key of keys.exact) {
        const rows = this.exact.get(key);
        if (rows) buckets.push(rows);
      }
    }
    for (const s of keys.prefixOf ?? []) {
      for (const length of this.prefixLengths) {
        if (length > s.length) break;
        const rows = this.prefix.get(s.slice(0, length));
        if (rows) buckets.push(rows);
      }
    }
    return new KeyedCandidates(this, buckets, keys.exact ?? [], keys.prefixOf ?? []);
  }

  /** Whether `row` is filed under one of these keys (the membership test behind `has`). */
  matches(row: number, exact: ReadonlySet<string> | readonly string[], prefixOf: readonly string[]): boolean {
    if (this.alwaysRow[row] === 1) return true;
    const e = this.exactKeyOf[row];
    if (e !== undefined) return exact instanceof Set ? exact.has(e) : (exact as readonly string[]).includes(e);
    const p = this.prefixKeyOf[row];
    if (p === undefined) return false;
    for (const s of prefixOf) if (s.startsWith(p)) return true;
    return false;
  }
}

class KeyedCandidates implements Candidates {
  readonly estimate: number;
  private merged?: readonly number[];
  private exact: ReadonlySet<string> | readonly string[];

  constructor(
    private readonly index: TermIndex,
    private readonly buckets: readonly (readonly number[])[],
    exact: ReadonlySet<string> | readonly string[],
    private readonly prefixOf: readonly string[],
  ) {
    let estimate = 0;
    for (const b of buckets) estimate += b.length;
    this.estimate = estimate;
    this.exact = exact;
  }

  rows(keep?: (row: number) => boolean): readonly number[] {
    if (keep) return mergeAscending(this.buckets.map((b) => b.filter(keep)));
    return (this.merged ??= mergeAscending(this.buckets));
  }

  has(row: number): boolean {
    if (Array.isArray(this.exact) && this.exact.length > 8) this.exact = new Set(this.exact as readonly string[]);
    return this.index.matches(row, this.exact, this.prefixOf);
  }

  forEach(visit: (row: number) => void): void {
    for (const bucket of this.buckets) for (const row of bucket) visit(row);
  }
}

/** A row key as the index files it: prefixes already cut to their filed length. */
type FiledKey = string | { readonly prefix: string } | typeof ALWAYS | typeof NEVER;

function filedKey(key: ReturnType<IndexHint['rowKey']>): FiledKey {
  return typeof key === 'object' ? { prefix: key.prefix.slice(0, filedLength(key.prefix.length)) } : key;
}

/**
 * Prefixes are filed under at most this many characters: up to 8 as they are, longer ones cut to a
 * multiple of 4. A shorter prefix is still one every match starts with, and a lookup then tries a
 * handful of lengths instead of one per distinct prefix length (URLs have dozens).
 */
function filedLength(length: number): number {
  return length <= 8 ? length : length - (length % 4);
}

function average(buckets: ReadonlyMap<string, readonly number[]>): number {
  let rows = 0;
  for (const b of buckets.values()) rows += b.length;
  return buckets.size === 0 ? 0 : rows / buckets.size;
}

function push(map: Map<string, number[]>, key: string, row: number): void {
  const rows = map.get(key);
  if (rows) rows.push(row);
  else map.set(key, [row]);
}

