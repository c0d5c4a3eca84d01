/**
 * Candidate rows: the rows that may satisfy part of a matcher, combined the way the matcher's
 * boolean structure combines its terms. Row numbers are positions in the policy (casbin's order);
 * every list handed out is ascending, so candidates are evaluated in the order casbin would meet them.
 */

/** Rows that may satisfy part of the matcher; `estimate` is an upper bound on their number. */
export interface Candidates {
  readonly estimate: number;
  /**
   * Ascending, without duplicates, and only those for which `keep` holds (filtering before
   * merging keeps the merge small). Callers must not modify the list.
   */
  rows(keep?: (row: number) => boolean): readonly number[];
  has(row: number): boolean;
  /** Visits every row, in no particular order and possibly more than once. */
  forEach(visit: (row: number) => void): void;
}

export class AllRows implements Candidates {
  /** Made on first use: few matchers need it, and a reload should not build a 100k-element list for nothing. */
  private list?: readonly number[];

  constructor(readonly estimate: number) {}

  rows(keep?: (row: number) => boolean): readonly number[] {
    const list = (this.list ??= Array.from({ length: this.estimate }, (_, i) => i));
    return keep ? list.filter(keep) : list;
  }

  has(): boolean {
    return true;
  }

  forEach(visit: (row: number) => void): void {
    for (let row = 0; row < this.estimate; row++) visit(row);
  }
}

/** Rows already narrowed down to a short ascending list. */
export class ListCandidates implements Candidates {
  constructor(private readonly list: readonly number[]) {}

  get estimate(): number {
    return this.list.length;
  }

  rows(keep?: (row: number) => boolean): readonly number[] {
    return keep ? this.list.filter(keep) : this.list;
  }

  has(row: number): boolean {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.list[mid]!;
      if (v === row) return true;
      if (v < row) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  forEach(visit: (row: number) => void): void {
    for (const row of this.list) visit(row);
  }
}

/** a || b: a row may match when it may match either side. */
export class UnionCandidates implements Candidates {
  readonly estimate: number;

  constructor(private readonly parts: readonly Candidates[]) {
    let estimate = 0;
    for (const p of parts) estimate += p.estimate;
    this.estimate = estimate;
  }

  rows(keep?: (row: number) => boolean): readonly number[] {
    return mergeAscending(this.parts.map((p) => p.rows(keep)));
  }

  has(row: number): boolean {
    for (const p of this.parts) if (p.has(row)) return true;
    return false;
  }

  forEach(visit: (row: number) => void): void {
    for (const p of this.parts) p.forEach(visit);
  }
}

/**
 * Marks rows with a stamp, for one membership test per row instead of one per part. One RowMarks
 * serves one nesting depth of conjunctions, so an inner conjunction never overwrites the marks an
 * outer one is still reading; conjunctions at the same depth run one after the other.
 */
export class RowMarks {
  private readonly stamps: Uint32Array;
  private stamp = 0;

  constructor(rowCount: number) {
    this.stamps = new Uint32Array(rowCount);
  }

  mark(candidates: Candidates): (row: number) => boolean {
    if (++this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const stamps = this.stamps;
    candidates.forEach((row) => (stamps[row] = stamp));
    return (row) => stamps[row] === stamp;
  }
}

/**
 * a && b: the smallest side's rows, kept only where every other side may match too. The second
 * smallest side, when not huge, is marked first, so most rows are dropped by one array read.
 */
export class IntersectionCandidates implements Candidates {
  readonly estimate: number;
  private readonly parts: readonly Candidates[];

  constructor(
    parts: readonly Candidates[],
    private readonly marks: RowMarks,
  ) {
    this.parts = [...parts].sort((a, b) => a.estimate - b.estimate);
    this.estimate = this.parts[0]?.estimate ?? 0;
  }

  rows(keep?: (row: number) => boolean): readonly number[] {
    const [smallest, second, ...rest] = this.parts;
    if (!smallest) return [];
    if (!second) return smallest.rows(keep);
    const inSecond =
      second.estimate <= MARK_LIMIT ? this.marks.mark(second) : (row: number) => second.has(row);
    return smallest.rows((row) => {
      if (!inSecond(row)) return false;
      for (const p of rest) if (!p.has(row)) return false;
      return !keep || keep(row);
    });
  }

  has(row: number): boolean {
    for (const p of this.parts) if (!p.has(row)) return false;
    return true;
  }

  forEach(visit: (row: number) => void): void {
    for (const row of this.rows()) visit(row);
  }
}

const MARK_LIMIT = 8192;

/** Union of ascending lists, ascending and without duplicates. */
export function mergeAscending(lists: readonly (readonly number[])[]): readonly number[] {
  let nonEmpty = 0;
  let only: readonly number[] = [];
  for (const l of lists) {
    if (l.length > 0) {
      nonEmpty++;
      only = l;
    }
  }
  if (nonEmpty <= 1) return only;
  const all = Int32Array.from(lists.flat()).sort();
  const out: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i]!);
  return out;
}
