import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GitOpsSettings } from '../../config/index.ts';
import { CoxswainError } from '../../errors.ts';
import { runGit } from './run-git.ts';
import { basicCredentials, displayUrl, secretsOf } from './secrets.ts';

/**
 * The GitOps repository's clone, kept in its work directory. Reads fetch first and read the
 * configured branch as the remote has it (`origin/<branch>`), never a local change. Calls on one
 * clone run one at a time, so a read never sees a change being committed.
 */
export type GitRepository = ReturnType<typeof openRepository>;

/** Log entries and diff lines shown at most, whatever is asked. */
export const MAX_LOG_ENTRIES = 50;
export const MAX_DIFF_LINES = 400;

export function openRepository(settings: GitOpsSettings) {
  const secrets = secretsOf(settings);
  const label = `repository ${displayUrl(settings.repo)}`;
  const proc = { label, env: authEnv(settings), secrets };
  const dir = settings.workDir;
  const git = (args: readonly string[], input?: string, extraEnv?: Record<string, string>) =>
    runGit(proc, args, {
      cwd: dir,
      ...(input === undefined ? {} : { input }),
      ...(extraEnv === undefined ? {} : { extraEnv }),
    });
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };
  const remoteBranch = `origin/${settings.branch}`;

  /** Clones once; later calls fetch the branch. Either way, ends at the remote's latest. */
  async function sync(): Promise<void> {
    if (!existsSync(join(dir, '.git'))) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dirname(dir), { recursive: true });
      await runGit(proc, ['clone', '--quiet', '--no-checkout', '--', settings.repo, dir]);
      return;
    }
    await git(['fetch', '--quiet', '--prune', 'origin']);
  }

  return {
    label,
    settings,
    /** git with this clone's credentials, for the change that commits and pushes. */
    git,
    /** Runs `task` alone on the clone; tasks given here call `sync`, never the reads below. */
    serial,
    sync,
    remoteBranch,

    readFile: (path: string, ref: string = remoteBranch) =>
      serial(async () => {
        await sync();
        return show(git, ref, path, label);
      }),

    log: (options: { path?: string | undefined; limit: number }) =>
      serial(async () => {
        await sync();
        return logOf(git, remoteBranch, options);
      }),

    diff: (options: { from: string; to?: string | undefined; path?: string | undefined }) =>
      serial(async () => {
        await sync();
        return diffOf(git, settings.branch, options);
      }),

    /** Every YAML file under the configured path, as the branch has it. */
    manifests: () =>
      serial(async () => {
        await sync();
        return manifestsOf(git, remoteBranch, settings.path);
      }),

    /**
     * The files under `path` at `revision` (a commit id, a branch or tag as the remote has it, or
     * HEAD), fetched when the clone lacks it: every path, and the text of those `pick` chooses.
     */
    treeAt: (revision: string, path: string, pick: (paths: string[]) => string[]) =>
      serial(async () => {
        await sync();
        return readTree(git, await commitOf(git, revision, settings.branch, label), path, pick);
      }),
  };
}

type Git = (args: readonly string[]) => Promise<string>;

/** The branch's log, newest first, at most MAX_LOG_ENTRIES entries. */
function logOf(
  git: Git,
  remoteBranch: string,
  options: { path?: string | undefined; limit: number },
) {
  const limit = Math.min(Math.max(options.limit, 1), MAX_LOG_ENTRIES);
  const args = ['log', `--max-count=${limit}`, '--date=iso-strict'];
  args.push('--format=%h %ad %an: %s', remoteBranch, '--');
  if (options.path !== undefined) args.push(safePath(options.path));
  return git(args);
}

/** A diff between two refs (the branch's latest by default), at most MAX_DIFF_LINES lines. */
async function diffOf(
  git: Git,
  branch: string,
  options: { from: string; to?: string | undefined; path?: string | undefined },
) {
  // The configured branch is read as the remote has it, never as the clone last saw it.
  const rev = (ref: string) => onRemote(safeRef(ref), branch);
  const args = ['diff', '--no-color', '--no-ext-diff', rev(options.from)];
  args.push(options.to === undefined ? `origin/${branch}` : rev(options.to), '--');
  if (options.path !== undefined) args.push(safePath(options.path));
  return boundLines(await git(args), MAX_DIFF_LINES);
}

/** Every YAML file under `path` on the branch, read in one git process. */
async function manifestsOf(git: Git, remoteBranch: string, path: string) {
  const tree = await readTree(git, remoteBranch, path, (paths) =>
    paths.filter((p) => /\.ya?ml$/i.test(p)),
  );
  return tree.files;
}

export type Tree = { paths: string[]; files: { path: string; text: string }[] };

/**
 * Every file under `path` at `ref`, and the text of those `pick` chooses, read in one git
 * process. A path with a newline is never read: `cat-file --batch` takes one per line.
 */
export async function readTree(
  git: (args: readonly string[], input?: string) => Promise<string>,
  ref: string,
  path: string,
  pick: (paths: string[]) => string[],
): Promise<Tree> {
  const prefix = path.replace(/^\.?\/+/, '').replace(/\/+$/, '') || '.';
  const listed = await git(['ls-tree', '-r', '-z', '--name-only', ref, '--', prefix]);
  const paths = listed.split('\0').filter((p) => p !== '');
  const wanted = pick(paths).filter((p) => !p.includes('\n'));
  return { paths, files: await readBlobs(git, ref, wanted) };
}

/**
 * The commit `revision` names in the clone: a commit id as it is, HEAD as the remote's default
 * branch, a name as the remote's branch or tag. One fetch of it when the clone lacks it (a commit
 * no branch holds, a tag made since), then a clear error.
 */
async function commitOf(git: Git, revision: string, branch: string, label: string) {
  const ref = safeRef(revision);
  const candidates = /^[0-9a-f]{7,40}$/i.test(ref)
    ? [ref]
    : ref === 'HEAD'
      ? ['refs/remotes/origin/HEAD', `refs/remotes/origin/${branch}`]
      : [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`];
  const found = await firstCommit(git, candidates);
  if (found !== undefined) return found;
  const missing = new CoxswainError('git', `${label} has no revision ${ref}, even after a fetch`);
  try {
    await git(['fetch', '--quiet', '--no-tags', 'origin', ref === 'HEAD' ? branch : ref]);
  } catch (error) {
    // Not every server hands out a commit by its id; FETCH_HEAD is then an older fetch's.
    throw new CoxswainError('git', missing.message, { cause: error });
  }
  const fetched = await firstCommit(git, [...candidates, 'FETCH_HEAD']);
  if (fetched === undefined) throw missing;
  return fetched;
}

async function firstCommit(git: Git, refs: readonly string[]): Promise<string | undefined> {
  for (const ref of refs) {
    try {
      return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
    } catch {
      // Not this one: the next candidate, or none.
    }
  }
  return undefined;
}

/** Credentials for an http(s) remote go in a header through git's environment, never in arguments. */
function authEnv(settings: GitOpsSettings): Record<string, string> {
  if (!/^https?:\/\//.test(settings.repo) || /^[a-z]+:\/\/[^/]*@/i.test(settings.repo))
    return { ...settings.env };
  return {
    ...settings.env,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basicCredentials(settings.forge.token)}`,
  };
}

async function show(
  git: (args: readonly string[]) => Promise<string>,
  ref: string,
  path: string,
  label: string,
): Promise<string> {
  try {
    return await git(['show', `${ref}:${safePath(path)}`]);
  } catch (error) {
    if (
      error instanceof CoxswainError &&
      /does not exist|exists on disk, but not in/.test(error.message)
    )
      throw new CoxswainError(
        'git',
        `${label} has no file ${path} on ${ref.replace(/^origin\//, '')}`,
      );
    throw error;
  }
}

/** Many files in one process: `git cat-file --batch` answers each `<ref>:<path>` in turn. */
async function readBlobs(
  git: (args: readonly string[], input?: string) => Promise<string>,
  ref: string,
  paths: readonly string[],
): Promise<{ path: string; text: string }[]> {
  if (paths.length === 0) return [];
  const out = Buffer.from(
    await git(['cat-file', '--batch'], paths.map((p) => `${ref}:${p}\n`).join('')),
    'utf8',
  );
  const files: { path: string; text: string }[] = [];
  let at = 0;
  for (const path of paths) {
    const end = out.indexOf(10, at);
    if (end === -1) break;
    const header = out.subarray(at, end).toString('utf8');
    const size = Number(/ blob (\d+)$/.exec(header)?.[1] ?? Number.NaN);
    if (Number.isNaN(size)) {
      at = end + 1;
      continue;
    }
    files.push({ path, text: out.subarray(end + 1, end + 1 + size).toString('utf8') });
    at = end + 1 + size + 1;
  }
  return files;
}

/** A path inside the repository: relative, no `..`, not an option. */
export function safePath(path: string): string {
  const clean = path.replace(/^\.\//, '');
  if (
    clean === '' ||
    clean.startsWith('/') ||
    clean.startsWith('-') ||
    clean.split('/').includes('..')
  )
    throw new CoxswainError('git', `${path} is not a path inside the repository`);
  return clean;
}

/** A revision as people write them (a hash, a branch, HEAD~2), never an option. */
export function safeRef(ref: string): string {
  if (!/^[\w./~^@{}-]{1,200}$/.test(ref) || ref.startsWith('-') || ref.includes('..'))
    throw new CoxswainError('git', `${ref} is not a revision (a commit hash, a branch, or HEAD~N)`);
  return ref;
}

/** `HEAD`, `main`, `HEAD~2`, `main^`: the configured branch as the remote has it. */
function onRemote(ref: string, branch: string): string {
  const escaped = branch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return ref.replace(new RegExp(`^(?:HEAD|${escaped})(?=$|[~^])`), `origin/${branch}`);
}

function boundLines(text: string, max: number): string {
  const lines = text.split('\n');
  if (lines.length <= max) return text;
  return `${lines.slice(0, max).join('\n')}\n… ${lines.length - max} more lines; name a path to narrow the diff`;
}
