import { loadClusterConfig, readEnv } from '../config/index.ts';
import { checkWorkflowFiles } from '../workflows/load-files.ts';
import { shownPath } from '../workflows/markdown.ts';
import { parseFlags, UsageError } from './args.ts';

/**
 * `coxswain workflow check FILE…`, for the users' CI as `promtool check rules` is: every problem
 * on stderr as `FILE:LINE: field: message`, `FILE: ok` on stdout for each good file, and exit 1
 * if any file has a problem. The autonomy checked against is the config file's
 * (COXSWAIN_CONFIG) when there is one, the defaults otherwise.
 */
export async function workflowCheck(args: readonly string[]): Promise<number> {
  const { positionals: files } = parseFlags('workflow check', args, {}, Number.POSITIVE_INFINITY);
  if (files.length === 0) throw new UsageError('workflow check needs at least one FILE');
  const checked = checkWorkflowFiles(files, loadClusterConfig(readEnv()).autonomy);
  const bad = new Set(checked.invalid.map((entry) => entry.file));
  for (const problem of checked.problems) process.stderr.write(`${problem}\n`);
  for (const file of new Set(files.map(shownPath)))
    if (!bad.has(file)) process.stdout.write(`${file}: ok\n`);
  return checked.problems.length > 0 ? 1 : 0;
}
