import { execFile } from 'node:child_process';
import { CoxswainError } from '../../errors.ts';
import { hideSecrets } from './secrets.ts';

/**
 * The one place that runs `git`: the binary from PATH, arguments as an array (no shell, so no
 * quoting and nothing a file name or a branch can inject), no prompts, bounded in time and
 * output. A failure becomes a `git` error naming the repository and git's own reason, with every
 * credential hidden.
 */
export type GitProcess = {
  /** The repository as people may see it, for messages. */
  label: string;
  env: Readonly<Record<string, string>>;
  secrets: readonly string[];
  timeoutMs?: number;
};

const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

export function runGit(
  proc: GitProcess,
  args: readonly string[],
  options: { cwd?: string; input?: string; extraEnv?: Record<string, string> } = {},
): Promise<string> {
  const env = {
    ...proc.env,
    ...options.extraEnv,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    LC_ALL: 'C',
  };
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env,
        timeout: proc.timeoutMs ?? 60_000,
        maxBuffer: MAX_OUTPUT_BYTES,
        encoding: 'utf8',
        shell: false,
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const reason = reasonOf(error, stderr);
        reject(
          new CoxswainError(
            'git',
            hideSecrets(`git ${args[0] ?? ''} on ${proc.label} failed: ${reason}`, proc.secrets),
          ),
        );
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

function reasonOf(error: Error & { code?: unknown; killed?: boolean }, stderr: string): string {
  if (error.code === 'ENOENT') return 'the git binary is not on the PATH';
  if (error.killed === true) return 'it took too long and was stopped';
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return 'its output was too large';
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('hint:'));
  return lines.slice(-3).join(' / ') || `exit code ${String(error.code)}`;
}
