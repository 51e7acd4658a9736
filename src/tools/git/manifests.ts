import { isMap, LineCounter, parseAllDocuments } from 'yaml';

/**
 * Which manifest declares an object: every YAML document of every file (a file may hold many,
 * separated by `---`) whose kind and name match, and whose namespace matches or is left to the
 * deployer (Argo CD's destination namespace). Pure: the files come from the clone.
 */
export type ManifestFile = { path: string; text: string };

export type ManifestMatch = {
  path: string;
  /** The document's place in its file, from 0. */
  document: number;
  /** Its first line in the file, from 1. */
  line: number;
  kind: string;
  name: string;
  /** Unset: the file names none, and the object goes where it is deployed. */
  namespace: string | undefined;
};

export type ObjectRef = { kind: string; name: string; namespace?: string | undefined };

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml'] as const;

export function isManifestPath(path: string): boolean {
  return MANIFEST_EXTENSIONS.some((ext) => path.toLowerCase().endsWith(ext));
}

/** Every object declared in a file; documents that are not Kubernetes objects are passed over. */
export function declaredObjects(file: ManifestFile): ManifestMatch[] {
  const lines = new LineCounter();
  const found: ManifestMatch[] = [];
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(file.text, { lineCounter: lines, uniqueKeys: false });
  } catch {
    return found;
  }
  if (!Array.isArray(documents)) return found;
  documents.forEach((doc, index) => {
    if (doc.errors.length > 0 || !isMap(doc.contents)) return;
    const kind = doc.get('kind');
    const name = doc.getIn(['metadata', 'name']);
    const namespace = doc.getIn(['metadata', 'namespace']);
    if (typeof kind !== 'string' || typeof name !== 'string') return;
    const start = doc.contents.range?.[0] ?? 0;
    found.push({
      path: file.path,
      document: index,
      line: lines.linePos(start).line,
      kind,
      name,
      namespace: typeof namespace === 'string' ? namespace : undefined,
    });
  });
  return found;
}

/**
 * The documents declaring `ref`, those naming its namespace first. Kinds match without regard
 * to case, as people type them (`deployment`).
 */
export function findDeclarations(files: readonly ManifestFile[], ref: ObjectRef): ManifestMatch[] {
  const kind = ref.kind.toLowerCase();
  const matches = files
    .flatMap(declaredObjects)
    .filter((m) => m.kind.toLowerCase() === kind && m.name === ref.name)
    .filter(
      (m) =>
        ref.namespace === undefined || m.namespace === undefined || m.namespace === ref.namespace,
    );
  return matches.sort((a, b) => rank(a, ref) - rank(b, ref) || a.path.localeCompare(b.path));
}

function rank(match: ManifestMatch, ref: ObjectRef): number {
  return ref.namespace !== undefined && match.namespace === ref.namespace ? 0 : 1;
}
