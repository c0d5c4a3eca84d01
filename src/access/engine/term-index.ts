/**
 * The index of one matcher term over the policy rows: every row filed under the key its index hint
 * gives (exact, prefix, always, never), looked up with the keys of one request.
 */
import { type Candidates, mergeAscending } from './candidates.js';
import type { Turns } from './cooperative.js';
import type { PolicyRows } from './policy-rows.js';
import { ALWAYS, NEVER, type IndexHint, type RequestKeys, type RowKey } from './index-hints.js';

/** What a row is filed under, per row: an exact key's id (0, 1 …), or one of these, or PREFIX_BASE - a prefix key's id. */
const ALWAYS_ROW = -1;
const NEVER_ROW = -2;
const PREFIX_BASE = -3;

export class TermIndex {
  private readonly exactIds = new Map<string, number>();
  private readonly prefixIds = new Map<string, number>();
  private readonly exact: Buckets;
  private readonly prefix: Buckets;
  private always: readonly number[] = [];
  /** Distinct prefix lengths, ascending: a lookup tries only these. */
  private prefixLengths: number[] = [];
  /** Per row, what it is filed under (see ALWAYS_ROW …), and the keys those ids stand for. */
  private readonly filed: Int32Array;
  private readonly exactKeys: string[] = [];
  private readonly prefixKeys: string[] = [];
  /** About how many rows a lookup gives: the average bucket, plus the rows always included. */
  typical = 0;

  private constructor(
    readonly hint: IndexHint,
    rowCount: number,
  ) {
    this.filed = new Int32Array(rowCount);
    this.exact = new Buckets(rowCount);
    this.prefix = new Buckets(rowCount);
  }

  /**
   * Files every row under the key `hint` gives for its value in `column`. A policy repeats its
   * values (the same relying party on thousands of rows), so each distinct value's key is worked
   * out once. The rows of each key are kept in typed arrays, not one array per key: what a build
   * leaves on the JavaScript heap is what the garbage collector copies while decisions wait, and
   * at 100k rows one array per key is tens of thousands of them (see Buckets).
   */
  static async build(
    hint: IndexHint,
    rows: PolicyRows,
    column: number,
    turns: Turns,
  ): Promise<TermIndex> {
    const index = new TermIndex(hint, rows.length);
    const keys = new Array<number | undefined>(rows.distinct); // by value id: what rows holding it are filed under
    const counts: number[] = [];
    const prefixCounts: number[] = [];
    let always = 0;
    for (let row = 0; row < rows.length; row++) {
      if (turns.due()) await turns.pause();
      const value = rows.id(row, column);
      let filed = keys[value];
      if (filed === undefined) {
        filed = index.fileUnder(hint.rowKey(rows.value(row, column)), counts, prefixCounts);
        keys[value] = filed;
      }
      index.filed[row] = filed;
      if (filed >= 0) counts[filed]!++;
      else if (filed === ALWAYS_ROW) always++;
      else if (filed <= PREFIX_BASE) prefixCounts[PREFIX_BASE - filed]!++;
    }
    index.exact.allot(counts);
    index.prefix.allot(prefixCounts);
    const alwaysList = new Array<number>(always);
    let alwaysFilled = 0;
    for (let row = 0; row < rows.length; row++) {
      if (turns.due()) await turns.pause();
      const filed = index.filed[row]!;
      if (filed >= 0) index.exact.add(filed, row);
      else if (filed === ALWAYS_ROW) alwaysList[alwaysFilled++] = row;
      else if (filed <= PREFIX_BASE) index.prefix.add(PREFIX_BASE - filed, row);
    }
    index.always = alwaysList;
    index.prefixLengths = [...new Set(index.prefixKeys.map((k) => k.length))].sort((a, b) => a - b);
    index.typical = always + average(counts) + index.prefixLengths.length * average(prefixCounts);
    return index;
  }

  query(keys: RequestKeys): Candidates {
    const buckets: (readonly number[])[] = [];
    if (this.always.length > 0) buckets.push(this.always);
    if (keys.exact) {
      for (const key of keys.exact) {
        const id = this.exactIds.get(key);
        if (id !== undefined) buckets.push(this.exact.rows(id));
      }
    }
    for (const s of keys.prefixOf ?? []) {
      for (const length of this.prefixLengths) {
        if (length > s.length) break;
        const id = this.prefixIds.get(s.slice(0, length));
        if (id !== undefined) buckets.push(this.prefix.rows(id));
      }
    }
    return new KeyedCandidates(this, buckets, keys.exact ?? [], keys.prefixOf ?? []);
  }

  /** Whether `row` is filed under one of these keys (the membership test behind `has`). */
  matches(
    row: number,
    exact: ReadonlySet<string> | readonly string[],
    prefixOf: readonly string[],
  ): boolean {
    const filed = this.filed[row]!;
    if (filed === ALWAYS_ROW) return true;
    if (filed >= 0) {
      const e = this.exactKeys[filed]!;
      return exact instanceof Set ? exact.has(e) : (exact as readonly string[]).includes(e);
    }
    if (filed === NEVER_ROW) return false;
    const p = this.prefixKeys[PREFIX_BASE - filed]!;
    for (const s of prefixOf) if (s.startsWith(p)) return true;
    return false;
  }

  /** The filing of a row key: a new or known key's id, ALWAYS_ROW or NEVER_ROW. */
  private fileUnder(key: RowKey, counts: number[], prefixCounts: number[]): number {
    if (key === NEVER) return NEVER_ROW;
    if (key === ALWAYS) return ALWAYS_ROW;
    if (typeof key === 'string') return idOf(key, this.exactIds, this.exactKeys, counts);
    return (
      PREFIX_BASE -
      idOf(
        key.prefix.slice(0, filedLength(key.prefix.length)),
        this.prefixIds,
        this.prefixKeys,
        prefixCounts,
      )
    );
  }
}

/**
 * The rows filed under each key, all in one typed array (key by key, each key's rows ascending).
 * A decision reads a key's rows as a plain array, made the first time the key is looked up and
 * kept: the arrays decisions use are made a few at a time while the IdP runs, instead of all at
 * once while a reload builds (where each one is work for the garbage collector).
 */
class Buckets {
  private starts = new Int32Array(1);
  private readonly rowsByKey: Int32Array;
  private next = new Int32Array(0);
  private made: (readonly number[] | undefined)[] = [];

  constructor(rowCount: number) {
    this.rowsByKey = new Int32Array(rowCount);
  }

  /** Reserves room for each key's rows: counts[id] of them. */
  allot(counts: readonly number[]): void {
    this.starts = new Int32Array(counts.length + 1);
    for (let id = 0; id < counts.length; id++) this.starts[id + 1] = this.starts[id]! + counts[id]!;
    this.next = this.starts.slice(0, counts.length);
    this.made = new Array<readonly number[] | undefined>(counts.length);
  }

  /** Files a row under key `id` (rows come in ascending order). */
  add(id: number, row: number): void {
    this.rowsByKey[this.next[id]!++] = row;
  }

  rows(id: number): readonly number[] {
    return (this.made[id] ??= Array.from(
      this.rowsByKey.subarray(this.starts[id], this.starts[id + 1]),
    ));
  }
}

function idOf(key: string, ids: Map<string, number>, keys: string[], counts: number[]): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = keys.length;
    keys.push(key);
    counts.push(0);
    ids.set(key, id);
  }
  return id;
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
    if (Array.isArray(this.exact) && this.exact.length > 8)
      this.exact = new Set(this.exact as readonly string[]);
    return this.index.matches(row, this.exact, this.prefixOf);
  }

  forEach(visit: (row: number) => void): void {
    for (const bucket of this.buckets) for (const row of bucket) visit(row);
  }
}

/**
 * Prefixes are filed under at most this many characters: up to 8 as they are, longer ones cut to a
 * multiple of 4. A shorter prefix is still one every match starts with, and a lookup then tries a
 * handful of lengths instead of one per distinct prefix length (URLs have dozens).
 */
function filedLength(length: number): number {
  return length <= 8 ? length : length - (length % 4);
}

function average(counts: readonly number[]): number {
  let rows = 0;
  for (const n of counts) rows += n;
  return counts.length === 0 ? 0 : rows / counts.length;
}
