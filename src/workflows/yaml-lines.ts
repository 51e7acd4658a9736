import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/**
 * The line of the node at `path`, or of its nearest parent the file has. A map's entry is at its
 * key's line: a nested value starts on the line after.
 */
export function lineOf(
  doc: Document,
  lines: LineCounter,
  path: readonly (string | number)[],
): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String(isScalar(item.key) ? item.key.value : item.key) === String(part),
      );
      if (pair === undefined) break;
      offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item: unknown = node.items[part];
      if (item === undefined) break;
      offset = (item as Node | null)?.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return lineAt(lines, offset);
}

export function lineAt(lines: LineCounter, offset: number): number {
  return Math.max(1, lines.linePos(offset).line);
}
