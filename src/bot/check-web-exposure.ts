import type { Config } from '../config/index.ts';
import { isLoopback } from '../dashboard/web-access.ts';
import { CoxswainError } from '../errors.ts';

/**
 * The bot serves the web console and the dashboard on HOST. Without DASHBOARD_TOKENS nobody signs
 * in, so anyone who reaches the port could read every channel: that is allowed on a loopback
 * address only, and anything else stops the bot at start, saying what to set.
 */
export function checkWebExposure(config: Config): void {
  if (config.dashboard.users.length > 0 || isLoopback(config.http.host)) return;
  throw new CoxswainError(
    'config_invalid',
    `invalid configuration:\n  HOST: is not a loopback address and DASHBOARD_TOKENS is not set, so the web console and dashboard would be open to anyone who reaches it: set DASHBOARD_TOKENS (name:token,…) so that people sign in, or HOST=127.0.0.1 to serve this machine only`,
  );
}
