import type { Logger } from './logger.ts';

/**
 * A warning that can repeat many times a second (every reconnect attempt during an outage) is
 * logged at most once per interval, with a count of the ones held back.
 */
export function throttledWarn(log: Logger, message: string, intervalMs = 30_000) {
  let last = 0;
  let held = 0;
  return (details: Record<string, unknown>) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      held++;
      return;
    }
    log.warn(held > 0 ? { ...details, repeated: held } : details, message);
    last = now;
    held = 0;
  };
}
