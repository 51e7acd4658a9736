import { loadConfig, readEnv } from '../config/index.ts';
import { createLogger } from '../observability/logger.ts';
import { exitOnSignal } from '../runtime/shutdown.ts';
import { type Role, startProcess } from './start-process.ts';

/** `coxswain bot|worker|all`: one role, configured from the environment, until a signal. */
export async function serve(role: Role): Promise<void> {
  const config = loadConfig(readEnv(), { chat: role !== 'worker' });
  const log = createLogger(config.logLevel);
  const running = await startProcess(config, role, log);
  exitOnSignal(log, running.stop);
}
