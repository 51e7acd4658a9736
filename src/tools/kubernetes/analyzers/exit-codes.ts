/**
 * What a container's exit code says by itself. Codes above 128 are 128 plus the number of the
 * signal that ended the process; 126 and 127 are the shell's (or the runtime's) for a command
 * that could not run.
 */
const SIGNALS: Readonly<Record<number, string>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};

export function signalOf(exitCode: number): string | undefined {
  if (exitCode <= 128 || exitCode > 128 + 64) return undefined;
  return SIGNALS[exitCode - 128] ?? `signal ${exitCode - 128}`;
}

/** A short gloss of an exit code, for what was checked: "exit code 137 (SIGKILL)". */
export function explainExitCode(exitCode: number): string {
  const signal = signalOf(exitCode);
  if (signal !== undefined) return `exit code ${exitCode} (killed by ${signal})`;
  if (exitCode === 0) return 'exit code 0 (ended normally)';
  if (exitCode === 1 || exitCode === 2) return `exit code ${exitCode} (a generic error)`;
  if (exitCode === 126) return 'exit code 126 (command not executable)';
  if (exitCode === 127) return 'exit code 127 (command not found)';
  return `exit code ${exitCode}`;
}

export type ExitCause = { kind: string; cause: string };

/**
 * The cause an exit code states by itself, when it states one: a command that ends while its
 * pod restarts it forever, a command that cannot run, a crash the kernel signalled. Other codes
 * (1, 2, SIGKILL and SIGTERM from outside) say that it stopped, not why.
 */
export function causeOfExitCode(
  exitCode: number,
  restartPolicy: string | undefined,
): ExitCause | undefined {
  switch (exitCode) {
    case 0:
      return restartPolicy === 'Never' || restartPolicy === 'OnFailure'
        ? undefined
        : {
            kind: 'exits-normally',
            cause: `its command ends with exit code 0 and the pod's restartPolicy ${restartPolicy ?? 'Always'} starts it again: it must keep running in the foreground (or be a Job)`,
          };
    case 126:
      return {
        kind: 'not-executable',
        cause:
          'its command is not executable (exit code 126): a file without execute permission, or a directory',
      };
    case 127:
      return {
        kind: 'command-not-found',
        cause:
          'its command is not found in the image (exit code 127): a wrong command, args or PATH, or a binary missing from the image',
      };
    case 134:
      return {
        kind: 'signal',
        cause:
          'it aborts itself (SIGABRT, exit code 134): a failed assertion or a fatal error of its runtime',
      };
    case 139:
      return {
        kind: 'signal',
        cause:
          'it crashes on a segmentation fault (SIGSEGV, exit code 139): a bug in native code, or a binary or library that does not match the image',
      };
    default:
      return undefined;
  }
}
