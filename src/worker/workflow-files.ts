import type { Autonomy } from '../config/policy-schema.ts';
import type { Logger } from '../observability/logger.ts';
import { loadWorkflowFiles } from '../workflows/load-files.ts';
import { syncSchedules } from '../workflows/triggers.ts';
import type { YamlWorkflow } from '../workflows/yaml-schema.ts';

type SchedulerQueue = Parameters<typeof syncSchedules>[0];

/**
 * The worker's workflows: read from the folder at start and every minute after, each bad file
 * named in the log (once per change) and left out while the others load, and the queue's
 * schedulers kept as the files say, so a schedule whose file goes is removed.
 */
export function keepWorkflows(
  dir: string,
  policy: Autonomy,
  queue: SchedulerQueue,
  log: Logger,
  intervalMs = 60_000,
): { current(): ReadonlyMap<string, YamlWorkflow>; ready: Promise<void>; stop(): void } {
  let current: ReadonlyMap<string, YamlWorkflow> = new Map();
  let reported = '';
  const read = async () => {
    try {
      const files = loadWorkflowFiles(dir, policy);
      current = files.yaml;
      const problems = JSON.stringify(files.invalid);
      if (problems !== reported) {
        reported = problems;
        for (const { file, problems: lines } of files.invalid)
          for (const problem of lines) log.warn({ file, problem }, 'workflow file invalid');
      }
    } catch (error) {
      log.warn({ err: error, dir }, 'workflows folder unreadable');
      return;
    }
    try {
      const { removed } = await syncSchedules(queue, current.values());
      if (removed.length > 0) log.info({ removed }, 'workflow schedules removed');
    } catch (error) {
      log.warn({ err: error }, 'workflow schedules not synchronised; trying again later');
    }
  };
  const ready = read();
  const timer = setInterval(() => void read(), intervalMs);
  timer.unref();
  return { current: () => current, ready, stop: () => clearInterval(timer) };
}
