/**
 * The rows of one policy type ("p", "g", "g2" …), stored column by column: each value is a number,
 * its index in the policy's table of distinct strings. A 100k-row policy repeats a few thousand
 * accounts, roles and relying parties; stored this way it is a handful of typed arrays instead of
 * 170,000 arrays of strings. The garbage collector neither copies nor traces what is inside a
 * typed array, so building a large policy — while decisions wait on every collection — and
 * keeping it in memory cost it almost nothing.
 */

export class PolicyRows {
  constructor(
    /** The policy's distinct values (shared by its row types). */
    private readonly table: StringTable,
    private readonly columns: readonly Int32Array[],
    readonly length: number,
  ) {}

  static empty(width: number): PolicyRows {
    return new PolicyRows(
      new StringTable(),
      Array.from({ length: width }, () => new Int32Array(0)),
      0,
    );
  }

  private get strings(): readonly string[] {
    return this.table.strings;
  }

  /** Values per row. */
  get width(): number {
    return this.columns.length;
  }

  value(row: number, column: number): string {
    return this.strings[this.columns[column]![row]!]!;
  }

  /** The value's index in the policy's table of distinct values: equal values, equal ids. */
  id(row: number, column: number): number {
    return this.columns[column]![row]!;
  }

  /** The value with this id. */
  string(id: number): string {
    return this.strings[id]!;
  }

  /** The id of a value (undefined when no row of the policy holds it). */
  idOf(value: string): number | undefined {
    return this.table.known(value);
  }

  /** How many distinct values the policy has (ids are below this). */
  get distinct(): number {
    return this.strings.length;
  }

  /** Every distinct value of the policy. */
  values(): readonly string[] {
    return this.strings;
  }

  /** One row's values, as casbin holds them. */
  row(row: number): string[] {
    return this.columns.map((c) => this.strings[c[row]!]!);
  }

  toArrays(): string[][] {
    return Array.from({ length: this.length }, (_, i) => this.row(i));
  }
}

/** The distinct values of one policy and their ids. */
export class StringTable {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [];

  known(value: string): number | undefined {
    return this.ids.get(value);
  }

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
}

/** Collects the rows of one type, and the line of each, in growing typed arrays. */
export class PolicyRowsBuilder {
  private columns: Int32Array[];
  private lineNumbers: Int32Array;
  private count = 0;

  constructor(
    private readonly table: StringTable,
    width: number,
  ) {
    this.columns = Array.from({ length: width }, () => new Int32Array(256));
    this.lineNumbers = new Int32Array(256);
  }

  /** Adds a row: its values (as many as the type has columns) and its line. */
  add(values: readonly string[], from: number, line: number): void {
    if (this.count === this.lineNumbers.length) this.grow();
    for (let c = 0; c < this.columns.length; c++)
      this.columns[c]![this.count] = this.table.id(values[from + c]!);
    this.lineNumbers[this.count++] = line;
  }

  build(): { readonly rows: PolicyRows; readonly lines: Int32Array } {
    return {
      rows: new PolicyRows(
        this.table,
        this.columns.map((c) => c.slice(0, this.count)),
        this.count,
      ),
      lines: this.lineNumbers.slice(0, this.count),
    };
  }

  private grow(): void {
    const larger = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.columns = this.columns.map(larger);
    this.lineNumbers = larger(this.lineNumbers);
  }
}
