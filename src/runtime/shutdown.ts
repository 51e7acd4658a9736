import type { Worker } from 'bullmq';
import type { Logger } from '../observability/logger.ts';
import { withTimeout } from '../queue/connection.ts';

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits. A second signal while stopping
 * exits at once: the person at the terminal has decided not to wait.
 */
export function exitOnSignal(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal, exiting now');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop()
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A promise nobody awaited failed: log it with its stack instead of dying on it.
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection');
  });
}

/**
 * Stops a worker taking new jobs and waits for the active ones up to `timeoutMs`. Jobs still
 * running then are told to stop (processors that honour the abort signal checkpoint and return)
 * and abandoned: their locks expire and another worker picks them up as stalled.
 */
export async function closeWorker(worker: Worker, timeoutMs: number, log: Logger): Promise<void> {
  const closing = worker.close();
  try {
    await withTimeout(closing, timeoutMs, 'worker close timed out');
  } catch {
    log.warn(
      { queue: worker.name, timeoutMs },
      'worker did not close in time; jobs still active are left to retry',
    );
    worker.cancelAllJobs('worker shutting down');
    closing.catch(() => undefined);
  }
}
