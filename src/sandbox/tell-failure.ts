/**
 * Where the sandbox tells a failure it went on past (a controller that could not handle an
 * object, a request answered 500): one line on stderr, each distinct line at most once a minute,
 * so that one odd object does not flood the terminal.
 */
export type TellFailure = (where: string, error: unknown) => void;

export function tellOnStderr(what: string): TellFailure {
  const told = new Map<string, number>();
  return (where, error) => {
    const line = `sandbox: ${what} ${where}: ${(error as Error)?.message ?? String(error)}`;
    const now = Date.now();
    if ((told.get(line) ?? 0) > now - 60_000) return;
    if (told.size > 1_000) told.clear();
    told.set(line, now);
    process.stderr.write(`${line}\n`);
  };
}
