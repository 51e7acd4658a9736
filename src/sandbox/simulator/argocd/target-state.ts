import type { Source } from './application.ts';
import { type DesiredObject, desiredState } from './desired-state.ts';
import type { SandboxRepository } from './git-repository.ts';

/**
 * The repo-server's part of Argo CD: a source (repository, revision, path) resolved to a commit
 * and the objects its manifests declare there. A branch or tag is resolved again when the
 * repository was committed to through the sandbox, when a refresh is asked for, and otherwise at
 * most every `REFRESH_SECONDS` of real time: a push from outside happens in real time, so playing
 * a scenario's past asks git nothing it already knows. What a commit declares is read once.
 */
export type Target =
  | { ok: true; revision: string; desired: DesiredObject[] }
  | { ok: false; error: string };

const REFRESH_SECONDS = 10;
const COMMIT_ID = /^[0-9a-f]{40}$/;

export class TargetStates {
  readonly #repositories: SandboxRepository[] = [];
  readonly #resolved = new Map<string, { commit: string | undefined; at: number; seen: number }>();
  readonly #declared = new Map<string, Target>();

  serve(repository: SandboxRepository): void {
    this.#repositories.push(repository);
  }

  /** Forgets resolved branches and tags, as a hard refresh does. */
  refresh(): void {
    this.#resolved.clear();
  }

  target(
    source: Source | undefined,
    revision: string | undefined,
    app: { name: string; namespace: string | undefined },
    now: number = Date.now(),
  ): Target {
    const url = source?.repoURL ?? '';
    const repository = this.#repositories.find((r) => r.serves(url));
    if (repository === undefined)
      return failure(
        `failed to generate manifest for source 1 of 1: repository not accessible: ${url || '(no repoURL)'}`,
      );
    const wanted = revision ?? source?.targetRevision ?? 'HEAD';
    const commit = this.#resolve(repository, wanted || 'HEAD', now);
    if (commit === undefined) return failure(`unable to resolve '${wanted}' to a commit SHA`);
    const path = source?.path ?? '';
    // A path out of the repository, absolute, or not a plain path is refused as Argo CD's repo
    // server does, before git sees it.
    if (!safeAppPath(path))
      return failure(
        `failed to generate manifest for source 1 of 1: ${path.slice(0, 200)}: app path is outside the repository`,
      );
    const key = `${repository.url}\n${commit}\n${path}\n${app.name}\n${app.namespace ?? ''}`;
    const known = this.#declared.get(key);
    if (known !== undefined) return known;
    let files: ReturnType<typeof repository.manifests>;
    try {
      files = repository.manifests(commit, path);
    } catch (error) {
      return failure(
        `failed to generate manifest for source 1 of 1: ${path.slice(0, 200)}: ${(error as Error).message.split('\n')[0]?.slice(0, 200)}`,
      );
    }
    const state = desiredState(files, app);
    const target: Target =
      files.length === 0
        ? failure(`failed to generate manifest for source 1 of 1: ${path}: app path does not exist`)
        : state.ok
          ? { ok: true, revision: commit, desired: state.objects }
          : failure(`failed to generate manifest for source 1 of 1: ${state.error}`);
    this.#declared.set(key, target);
    return target;
  }

  #resolve(repository: SandboxRepository, revision: string, now: number): string | undefined {
    const key = `${repository.url}\n${revision}`;
    const known = this.#resolved.get(key);
    const fresh =
      known !== undefined &&
      known.seen === repository.commits &&
      (COMMIT_ID.test(revision) || now - known.at < REFRESH_SECONDS * 1000);
    if (fresh) return known.commit;
    const commit = repository.resolve(revision);
    this.#resolved.set(key, { commit, at: now, seen: repository.commits });
    return commit;
  }
}

function failure(reason: string): Target {
  return { ok: false, error: `Failed to load target state: ${reason}` };
}

/** A path inside the repository: relative, no `..` segment, no control characters, bounded. */
function safeAppPath(path: string): boolean {
  return (
    path.length <= 1_000 &&
    !path.startsWith('/') &&
    ![...path].some((c) => c.charCodeAt(0) < 0x20 || c === '\\') &&
    !path.split('/').includes('..')
  );
}
