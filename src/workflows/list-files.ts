import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * The files under `dir` whose names `accept` takes, sorted by path. A mounted Kubernetes
 * ConfigMap is a folder of symbolic links into a hidden `..<timestamp>` folder that the kubelet
 * swaps on every update: links to files count as files, and hidden entries are skipped, so each
 * workflow is read once, under its own name, even while an update is being swapped in.
 */
export function listFiles(dir: string, accept: (name: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => accept(entry.name))
    .map((entry) => ({ entry, path: join(entry.parentPath, entry.name) }))
    .filter(
      ({ path }) =>
        !relative(dir, path)
          .split(sep)
          .some((part) => part.startsWith('.')),
    )
    .filter(({ entry, path }) => entry.isFile() || (entry.isSymbolicLink() && isFile(path)))
    .map(({ path }) => path)
    .sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
