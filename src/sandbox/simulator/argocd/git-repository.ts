import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The sandbox's GitOps repository: a real bare repository in a temporary directory, made and
 * read with the `git` binary, that the simulated Argo CD reads its manifests from. Its URL is a
 * `file://` URL, which `git clone` and `git push` take as they take a forge's, so a test or a
 * person can change the desired state the way a team does: commit and push.
 *
 * git runs synchronously here, as the simulator's controllers do all their work inside one
 * reconcile; the controller calls it only when a revision needs resolving (a few times a
 * minute) or a commit it has not read yet appears, and caches everything a commit determines.
 */
export type ManifestFile = { path: string; text: string };

const BRANCH = 'main';
const IDENTITY = { name: 'Sandbox GitOps', email: 'gitops@sandbox.invalid' };

export class SandboxRepository {
  /** The bare repository's directory. */
  readonly path: string;
  /** How Applications name it in `spec.source.repoURL`. */
  readonly url: string;
  readonly #root: string;
  readonly #files = new Map<string, ManifestFile[]>();
  #commits = 0;
  readonly #aliases: string[] = [];

  private constructor(root: string) {
    this.#root = root;
    this.path = join(root, 'gitops.git');
    this.url = pathToFileURL(this.path).href;
  }

  static create(): SandboxRepository {
    const repository = new SandboxRepository(mkdtempSync(join(tmpdir(), 'coxswain-gitops-')));
    repository.#git(['init', '--quiet', '--bare', `--initial-branch=${BRANCH}`, repository.path], {
      cwd: repository.#root,
    });
    return repository;
  }

  /**
   * Whether `repoURL` names this repository: its `file://` URL, its path or a name it is also
   * known by, with or without a trailing slash or `.git`.
   */
  serves(repoURL: string): boolean {
    const plain = (u: string) => u.replace(/\/+$/, '').replace(/\.git$/, '');
    return [this.url, this.path, ...this.#aliases].some((u) => plain(u) === plain(repoURL));
  }

  /**
   * Other URLs Applications may name it by, such as a forge's `https://` URL: a real Argo CD
   * reads the forge, the sandbox this directory.
   */
  alsoKnownAs(urls: readonly string[]): void {
    this.#aliases.push(...urls);
  }

  /**
   * Commits `files` on top of the branch (a `null` removes a file) and moves the branch to the
   * new commit, dated `at`. Returns the commit's id.
   */
  commit(files: Record<string, string | null>, message: string, at: Date): string {
    const index = join(this.#root, `index-${process.pid}`);
    const env = { GIT_INDEX_FILE: index, ...dated(at) };
    try {
      const parent = this.resolve(BRANCH);
      this.#git(parent === undefined ? ['read-tree', '--empty'] : ['read-tree', parent], { env });
      for (const [path, text] of Object.entries(files)) {
        if (text === null) {
          // A bare repository has no work tree for --force-remove: a zero mode removes the entry.
          this.#git(['update-index', '--index-info'], {
            env,
            input: `0 ${'0'.repeat(40)}\t${path}\n`,
          });
          continue;
        }
        const blob = this.#git(['hash-object', '-w', '--stdin'], { input: text }).trim();
        this.#git(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], { env });
      }
      const tree = this.#git(['write-tree'], { env }).trim();
      const parents = parent === undefined ? [] : ['-p', parent];
      const commit = this.#git(['commit-tree', tree, ...parents, '-m', message], { env }).trim();
      this.#git(['update-ref', `refs/heads/${BRANCH}`, commit], { env });
      this.#commits++;
      return commit;
    } finally {
      rmSync(index, { force: true });
    }
  }

  /** How many commits were made through `commit`: a change here needs no polling to be seen. */
  get commits(): number {
    return this.#commits;
  }

  /** The commit a branch, tag, `HEAD` or (abbreviated) commit id names; undefined when none. */
  resolve(revision: string): string | undefined {
    const name = revision === '' ? 'HEAD' : revision;
    if (name.startsWith('-')) return undefined;
    try {
      return this.#git(['rev-parse', '--verify', '--quiet', `${name}^{commit}`]).trim();
    } catch {
      return undefined;
    }
  }

  /** The YAML and JSON files under `dir` at `commit`, in path order. */
  manifests(commit: string, dir: string): ManifestFile[] {
    const key = `${commit}:${dir}`;
    const cached = this.#files.get(key);
    if (cached !== undefined) return cached;
    const prefix = dir.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const listed = this.#git(['ls-tree', '-r', '-z', '--name-only', commit, '--', prefix || '.'])
      .split('\0')
      .filter((p) => /\.(ya?ml|json)$/.test(p))
      .sort();
    const files = listed.map((path) => ({
      path,
      text: this.#git(['cat-file', 'blob', `${commit}:${path}`]),
    }));
    this.#files.set(key, files);
    return files;
  }

  /** The commit's subject line. */
  message(commit: string): string {
    return this.#git(['log', '-1', '--format=%s', commit]).trim();
  }

  close(): void {
    rmSync(this.#root, { recursive: true, force: true });
  }

  #git(
    args: string[],
    options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
  ): string {
    return execFileSync('git', args, {
      cwd: options.cwd ?? this.path,
      // Only the binary's search path is inherited: git sees no user or system configuration.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: this.#root,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        LC_ALL: 'C',
        GIT_AUTHOR_NAME: IDENTITY.name,
        GIT_AUTHOR_EMAIL: IDENTITY.email,
        GIT_COMMITTER_NAME: IDENTITY.name,
        GIT_COMMITTER_EMAIL: IDENTITY.email,
        ...options.env,
      },
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.input === undefined ? {} : { input: options.input }),
      maxBuffer: 16 * 1024 * 1024,
      timeout: 10_000,
    });
  }
}

function dated(at: Date): Record<string, string> {
  const when = `${Math.floor(at.getTime() / 1000)} +0000`;
  return { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when };
}
