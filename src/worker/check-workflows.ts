import type { Autonomy } from '../config/policy-schema.ts';
import type { Logger } from '../observability/logger.ts';
import { loadWorkflowFiles } from '../workflows/load-files.ts';

/**
 * Checks every workflow file when a worker starts (DESIGN §6). A bad file is named in the log,
 * problem by problem, and never stops the worker: the other files still load.
 */
export function warnOfInvalidWorkflows(dir: string, policy: Autonomy, log: Logger): void {
  try {
    for (const { file, problems } of loadWorkflowFiles(dir, policy).invalid)
      for (const problem of problems) log.warn({ file, problem }, 'workflow file invalid');
  } catch (error) {
    log.warn({ err: error, dir }, 'workflows folder unreadable');
  }
}
