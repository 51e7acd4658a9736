import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Simulator } from '../simulator/simulator.ts';
import { tellOnStderr } from '../tell-failure.ts';
import { ClusterMetrics } from './cluster-metrics.ts';
import { EXPOSITION_CONTENT_TYPE } from './exposition.ts';

export type MetricsServer = { url: string; close(): Promise<void> };

/** Serves `GET /metrics` for Prometheus to scrape; anything else is a 404. */
export async function serveMetrics(
  simulator: Simulator,
  port: number,
  host = '127.0.0.1',
): Promise<MetricsServer> {
  const metrics = new ClusterMetrics(simulator);
  const tell = tellOnStderr('the sandbox metrics endpoint failed on');
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    try {
      const body = metrics.render();
      res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      tell('GET /metrics', error);
      res
        .writeHead(500, { 'content-type': 'text/plain' })
        .end('the metrics could not be rendered\n');
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
