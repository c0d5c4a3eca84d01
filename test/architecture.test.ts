/**
 * The shape of the code, checked like behaviour (docs/architecture.md):
 * - folders of src/ import each other without cycles, and src/core imports nothing of the IdP's
 *   outside itself — so a folder can be read, tested and replaced from the bottom up;
 * - test/ mirrors src/: every source folder has tests of its own;
 * - every file the architecture document names exists, and its table of folders is in the order
 *   of their imports (bottom to top).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/core/paths.js';

const SRC = path.join(PROJECT_ROOT, 'src');

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full, suffix);
    return name.endsWith(suffix) ? [full] : [];
  });
}

/** The relative modules a source file imports (static, dynamic and type-only alike). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1]!,
  );
  return specifiers.map((s) => path.resolve(path.dirname(file), s).replace(/\.js$/, '.ts'));
}

/** The folder of src/ a file belongs to ("(root)" for the composition root: idp.ts, main.ts). */
function folderOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length > 1 ? parts[0]! : '(root)';
}

function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files(SRC, '.ts')) {
    const from = folderOf(file);
    for (const target of importsOf(file)) {
      const to = folderOf(target);
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      // One example import per edge, for the failure message.
      if (!graph.get(from)!.has(to))
        graph.get(from)!.set(to, `${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
    }
  }
  return graph;
}

/** Every cycle's edges, found by depth-first search (empty when the graph is acyclic). */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...stack.slice(stack.indexOf(next)), next];
        found.push(loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('the folders of src/', () => {
  it('import each other without cycles', () => {
    expect(cycles(folderGraph())).toEqual([]);
  });

  it('leave src/core at the bottom: it imports no other folder of the IdP', () => {
    expect([...(folderGraph().get('core')?.values() ?? [])]).toEqual([]);
  });

  it('never import the tests', () => {
    const intoTests = files(SRC, '.ts').flatMap((f) =>
      importsOf(f)
        .filter((t) => !t.startsWith(SRC + path.sep))
        .map((t) => `${f} → ${t}`),
    );
    expect(intoTests).toEqual([]);
  });

  it('each have tests of their own under test/ (test/ mirrors src/)', () => {
    const sourceDirs = new Set(
      files(SRC, '.ts')
        .map((f) => path.relative(SRC, path.dirname(f)))
        .filter((d) => d !== ''),
    );
    const untested = [...sourceDirs].filter((dir) => {
      const testDir = path.join(PROJECT_ROOT, 'test', dir);
      return !existsSync(testDir) || files(testDir, '.test.ts').length === 0;
    });
    expect(untested.sort()).toEqual([]);
  });
});

describe('docs/architecture.md', () => {
  it('lists the folders bottom to top: each imports only folders listed above it', () => {
    const doc = readFileSync(path.join(PROJECT_ROOT, 'docs', 'architecture.md'), 'utf8');
    const order = [...doc.matchAll(/^\| `src\/([a-z-]+)\/` \|/gm)].map((m) => m[1]!);
    const sourceFolders = [...folderGraph().keys()].filter((f) => f !== '(root)');
    expect(order.slice().sort()).toEqual(expect.arrayContaining(sourceFolders.sort()));
    const downward: string[] = [];
    for (const [from, targets] of folderGraph()) {
      if (from === '(root)') continue;
      for (const [to, example] of targets) {
        if (order.indexOf(to) > order.indexOf(from)) downward.push(`${from} → ${to}: ${example}`);
      }
    }
    expect(downward).toEqual([]);
  });

  it('names only files and folders that exist', () => {
    const doc = readFileSync(path.join(PROJECT_ROOT, 'docs', 'architecture.md'), 'utf8');
    const named = new Set(
      [...doc.matchAll(/`((?:src|test|conf|views|bench|docs)\/[^`\s]*)`/g)].map((m) => m[1]!),
    );
    expect(named.size).toBeGreaterThan(40);
    const missing = [...named].filter((p) => !existsSync(path.join(PROJECT_ROOT, p)));
    expect(missing).toEqual([]);
  });
});
