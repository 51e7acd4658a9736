import { isMap, isScalar, isSeq, type Node, parseAllDocuments, type YAMLMap } from 'yaml';
import { CoxswainError } from '../../errors.ts';
import { REDACTED } from '../../policy/redacted.ts';

/**
 * What a manifest's text shows the model and chat: what they are never given hidden, as in a
 * cluster object read (env `value`s, a Secret's `data` and `stringData`, the last-applied
 * annotation), the rest of the file as written. A change the model writes back keeps those
 * hidden values: each `[redacted]` is put back from the file as the branch has it, found by the
 * same path (list items by their `name`).
 */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function hideManifestValues(text: string): string {
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(text);
  } catch {
    return hideValueLines(text);
  }
  if (!Array.isArray(documents) || documents.some((d) => d.errors.length > 0))
    return hideValueLines(text);
  for (const doc of documents) {
    if (!isMap(doc.contents)) continue;
    for (const [, node] of hiddenScalars(doc.contents)) node.value = REDACTED;
  }
  return documents.map((d) => d.toString({ lineWidth: 0 })).join('');
}

/** In a diff or a text that is not YAML: every `value:` line's value, and nothing else, hidden. */
export function hideValueLines(text: string): string {
  return text.replace(/^([+\- ]?\s*(?:-\s+)?value:\s*)(\S.*)$/gm, `$1${REDACTED}`);
}

/** The new content with each `[redacted]` put back from the file as it is now. */
export function restoreHiddenValues(before: string | undefined, after: string): string {
  if (!after.includes(REDACTED)) return after;
  const old = before === undefined ? [] : parseAllDocuments(before);
  const next = parseAllDocuments(after);
  if (!Array.isArray(next) || !Array.isArray(old)) return after;
  const known = new Map<string, ScalarNode>();
  for (const doc of old)
    if (isMap(doc.contents))
      for (const [path, node] of hiddenScalars(doc.contents))
        known.set(`${keyOf(doc.contents)}${path}`, node);
  for (const doc of next) {
    if (!isMap(doc.contents)) continue;
    for (const [path, node] of hiddenScalars(doc.contents)) {
      if (node.value !== REDACTED) continue;
      const was = known.get(`${keyOf(doc.contents)}${path}`);
      if (was === undefined)
        throw new CoxswainError(
          'git',
          `the new content has ${REDACTED} at ${path}, where the file has no value to keep; write the value or leave the field out`,
        );
      node.value = was.value;
      // Written as the file wrote it (plain, quoted, a block).
      if ('type' in was && 'type' in node) node.type = was.type;
    }
  }
  return next.map((d) => d.toString({ lineWidth: 0 })).join('');
}

function keyOf(doc: YAMLMap): string {
  const meta = doc.get('metadata');
  const name = isMap(meta) ? String(meta.get('name') ?? '') : '';
  return `${String(doc.get('kind') ?? '')}/${name}:`;
}

type ScalarNode = Extract<Node, { value: unknown }> & { value: unknown };

/** Every scalar that is never shown, with its path (list items by `name`, else index). */
function hiddenScalars(root: YAMLMap): [string, ScalarNode][] {
  const out: [string, ScalarNode][] = [];
  const secret = root.get('kind') === 'Secret';
  const walk = (node: unknown, path: string, parent: string | undefined): void => {
    if (isScalar(node)) {
      // `parent` is the key this scalar is the value of.
      const underEnv = /\.env\[[^\]]*\]\.value$/.test(path);
      const secretData = secret && /^\.(data|stringData)\.[^.[]+$/.test(path);
      if (underEnv || secretData || parent === LAST_APPLIED) out.push([path, node as ScalarNode]);
      return;
    }
    if (isMap(node))
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        walk(pair.value, `${path}.${key}`, key);
      }
    else if (isSeq(node))
      node.items.forEach((item, i) => {
        const name = isMap(item) ? item.get('name') : undefined;
        walk(item, `${path}[${typeof name === 'string' ? name : i}]`, parent);
      });
  };
  walk(root, '', undefined);
  return out;
}
