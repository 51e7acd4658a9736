import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layer order of docs/architecture.md (Source layout), lowest first. A folder imports from
 * its own layer's neighbours and from lower layers, never upward; folders never import each other
 * in a circle; `chat` and `agents` meet only through queue job schemas; `sandbox` is a world of its
 * own that only `main` starts. A new top-level folder must be given its place here.
 */
const LAYERS: Record<string, number> = {
  shared: 0,
  'errors.ts': 0,
  config: 1,
  observability: 1,
  queue: 2,
  policy: 2,
  http: 2,
  audit: 2,
  tools: 3,
  chat: 3,
  alerts: 3,
  commands: 3,
  feedback: 3,
  agents: 4,
  workflows: 4,
  approvals: 4,
  dashboard: 5,
  sandbox: 5,
  runtime: 6,
  bot: 6,
  worker: 6,
  main: 7,
};
const NEVER: readonly [string, string][] = [
  ['chat', 'agents'],
  ['agents', 'chat'],
];

const SRC = dirname(fileURLToPath(import.meta.url));

type Edge = { file: string; from: string; to: string };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'static' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const folderOf = (path: string) => relative(SRC, path).split('/')[0] ?? '';

/** Every import, export-from and dynamic import of a file in src/ into another top-level folder. */
function importEdges(): Edge[] {
  return sourceFiles(SRC).flatMap((path) => {
    const found = ts.preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles;
    return found
      .filter((spec) => spec.fileName.startsWith('.'))
      .map((spec) => ({
        file: relative(SRC, path),
        from: folderOf(path),
        to: folderOf(resolve(dirname(path), spec.fileName)),
      }))
      .filter((edge) => edge.from !== edge.to);
  });
}

/** The folders that import each other in a circle, each circle as a sorted list. */
function folderCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) next.set(from, (next.get(from) ?? new Set()).add(to));
  const reaches = (start: string, goal: string) => {
    const seen = new Set<string>();
    const stack = [...(next.get(start) ?? [])];
    while (stack.length > 0) {
      const folder = stack.pop() as string;
      if (folder === goal) return true;
      if (seen.has(folder)) continue;
      seen.add(folder);
      stack.push(...(next.get(folder) ?? []));
    }
    return false;
  };
  const circles = new Map<string, string[]>();
  for (const folder of next.keys()) {
    const circle = [...next.keys()].filter((o) => reaches(folder, o) && reaches(o, folder));
    if (circle.length > 1) circles.set(circle.sort().join(' '), circle);
  }
  return [...circles.values()];
}

const edges = importEdges();

describe('the import graph of src/', () => {
  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual(
      expect.objectContaining({ from: 'main', to: 'sandbox', file: 'main/sandbox.ts' }),
    );
  });

  it('places every top-level folder in a layer', () => {
    const unplaced = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter(
      (folder) => LAYERS[folder] === undefined,
    );

    expect(unplaced).toEqual([]);
  });

  it('has no import going up a layer', () => {
    const upward = edges
      .filter((e) => (LAYERS[e.to] ?? 0) > (LAYERS[e.from] ?? 0))
      .map((e) => `${e.file} -> ${e.to}`);

    expect(upward).toEqual([]);
  });

  it('keeps chat and agents apart, and the sandbox started by main alone', () => {
    const crossing = edges
      .filter(
        (e) =>
          NEVER.some(([from, to]) => e.from === from && e.to === to) ||
          (e.to === 'sandbox' && e.from !== 'main'),
      )
      .map((e) => `${e.file} -> ${e.to}`);

    expect(crossing).toEqual([]);
  });

  it('has no folders importing each other in a circle', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('would report a circle', () => {
    const planted: Edge[] = [
      { file: 'queue/x.ts', from: 'queue', to: 'chat' },
      { file: 'chat/y.ts', from: 'chat', to: 'policy' },
      { file: 'policy/z.ts', from: 'policy', to: 'queue' },
      { file: 'policy/z.ts', from: 'policy', to: 'config' },
    ];

    expect(folderCycles(planted)).toEqual([['chat', 'policy', 'queue']]);
  });
});
