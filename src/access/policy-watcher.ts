/**
 * Calls back (debounced) when any of a set of files changes. It watches the files' folders, not
 * the files: editors and deploy tools often save by writing a new file and renaming it over the
 * old one, which a watch on the old file would never report.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export class PolicyWatcher {
  private readonly folders = new Map<string, { readonly watcher: FSWatcher; names: Set<string> }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly onChange: () => void,
    private readonly debounceMs: number,
    private readonly onError: (message: string) => void,
  ) {}

  /** Watches exactly these files from now on (absolute paths). */
  watch(files: readonly string[]): void {
    const wanted = new Map<string, Set<string>>();
    for (const f of files) {
      const dir = path.dirname(f);
      if (!wanted.has(dir)) wanted.set(dir, new Set());
      wanted.get(dir)!.add(path.basename(f));
    }
    for (const [dir, entry] of this.folders) {
      if (!wanted.has(dir)) {
        entry.watcher.close();
        this.folders.delete(dir);
      }
    }
    for (const [dir, names] of wanted) {
      const entry = this.folders.get(dir);
      if (entry) entry.names = names;
      else this.open(dir, names);
    }
  }

  close(): void {
    clearTimeout(this.timer);
    for (const { watcher } of this.folders.values()) watcher.close();
    this.folders.clear();
  }

  private open(dir: string, names: Set<string>): void {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        const entry = this.folders.get(dir);
        if (entry && (filename === null || entry.names.has(filename))) this.changed();
      });
      watcher.on('error', (err) => this.onError(`cannot watch ${dir}: ${err.message}`));
      this.folders.set(dir, { watcher, names });
    } catch (err) {
      this.onError(`cannot watch ${dir}: ${(err as Error).message}`);
    }
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onChange, this.debounceMs);
    this.timer.unref();
  }
}
