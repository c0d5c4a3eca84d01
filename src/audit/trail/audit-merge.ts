/**
 * The records of one or several nodes that pass a filter, in time order: each node's files in
 * chain order (its records stay in the order they were written), the nodes merged by %T — a k-way
 * merge over streams, so memory holds one batch per node, never the whole trail. Equal times keep
 * the order of the nodes as given.
 */
import type { AuditEntry } from './audit-entry.js';
import type { AuditFile, AuditReadError } from './audit-files.js';

export interface AuditNode {
  /** How the node is named in the output (the path it was read from). */
  readonly label: string;
  readonly files: readonly AuditFile[];
}

export interface MatchedRecord {
  readonly node: number;
  readonly file: AuditFile;
  readonly lineNo: number;
  readonly entry: AuditEntry;
  /** %T as written: yyyyMMdd'T'HHmmss'Z' sorts as text. */
  readonly time: string;
}

export interface ReadProblems {
  readError(e: AuditReadError): void;
  partialLine(file: AuditFile, lineNo: number): void;
}

interface Head {
  readonly source: AsyncIterator<MatchedRecord[]>;
  batch: MatchedRecord[];
  at: number;
  done: boolean;
}

/** The nodes' records merged by time, in batches. */
export async function* mergeByTime(
  sources: readonly AsyncIterable<MatchedRecord[]>[],
): AsyncGenerator<MatchedRecord[]> {
  if (sources.length === 1) {
    yield* sources[0]!;
    return;
  }
  const heads: Head[] = sources.map((s) => ({
    source: s[Symbol.asyncIterator](),
    batch: [],
    at: 0,
    done: false,
  }));
  for (;;) {
    await Promise.all(heads.map(refill));
    const live = heads.filter((h) => !h.done);
    if (live.length === 0) return;
    yield takeUntilOneRunsOut(live);
  }
}

async function refill(head: Head): Promise<void> {
  while (!head.done && head.at >= head.batch.length) {
    const next = await head.source.next();
    if (next.done) head.done = true;
    else {
      head.batch = next.value;
      head.at = 0;
    }
  }
}

/** Takes the earliest head record until one head's batch is used up (it must be refilled first). */
function takeUntilOneRunsOut(live: Head[]): MatchedRecord[] {
  const out: MatchedRecord[] = [];
  for (;;) {
    let best = live[0]!;
    for (let i = 1; i < live.length; i++) {
      const h = live[i]!;
      if (h.batch[h.at]!.time < best.batch[best.at]!.time) best = h;
    }
    out.push(best.batch[best.at++]!);
    if (best.at >= best.batch.length) return out;
  }
}
