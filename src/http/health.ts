import type { Redis } from 'ioredis';
import type { Metrics } from '../observability/metrics.ts';
import { pingRedis } from '../queue/connection.ts';
import type { Route } from './router.ts';

/**
 * `/healthz` says the process is up; `/readyz` says it can do its work, which needs Redis;
 * `/metrics` is the Prometheus exposition of this process's registry.
 */
export function opsRoutes(
  redis: Redis,
  metrics: Metrics,
  /** With leader election: whether this replica leads, reported by `/readyz` (ready either way). */
  leading?: () => boolean,
): Route[] {
  const leader = () => (leading === undefined ? {} : { leader: leading() });
  return [
    { method: 'GET', path: '/healthz', handler: () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      async handler() {
        try {
          await pingRedis(redis, 1_000);
          return { status: 200, body: { status: 'ready', redis: 'ok', ...leader() } };
        } catch {
          return { status: 503, body: { status: 'not ready', redis: 'unreachable', ...leader() } };
        }
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      async handler() {
        return {
          status: 200,
          body: await metrics.registry.metrics(),
          headers: { 'content-type': metrics.registry.contentType },
        };
      },
    },
  ];
}
