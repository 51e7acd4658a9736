import type { ImageBehaviour } from '../scenario.ts';

/**
 * The kubelet's liveness probe against an image whose health endpoint stops answering
 * (`unhealthyAfter`): probes run every `periodSeconds` from `initialDelaySeconds`, and the
 * `failureThreshold`-th failure in a row gets the container killed (exit code 137, reason Error)
 * and restarted by the pod's restartPolicy. Timing and messages follow the real prober's.
 */
export type Probe = {
  httpGet?: { path?: string; port?: number | string; host?: string; scheme?: string };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port?: number };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
};

type Probed = {
  name: string;
  livenessProbe?: Probe;
  ports?: { name?: string; containerPort: number }[];
};

/** Seconds after the container's start when the kubelet kills it, or undefined when it never does. */
export function livenessKillAfter(
  container: Probed,
  behaviour: ImageBehaviour | undefined,
): number | undefined {
  const probe = container.livenessProbe;
  const from = behaviour?.unhealthyAfter;
  if (probe === undefined || from === undefined) return undefined;
  const delay = probe.initialDelaySeconds ?? 0;
  const period = probe.periodSeconds ?? 10;
  const firstFailing = Math.max(0, Math.ceil((from - delay) / period));
  // A probe that times out fails only when its timeout runs out.
  const wait = behaviour?.unhealthyAs === 'timeout' ? (probe.timeoutSeconds ?? 1) : 0;
  return delay + (firstFailing + failureThreshold(container) - 1) * period + wait;
}

export function failureThreshold(container: Probed): number {
  return container.livenessProbe?.failureThreshold ?? 3;
}

/** What the prober reports for one failed probe, after "Liveness probe failed: ". */
export function livenessFailure(
  container: Probed,
  behaviour: ImageBehaviour | undefined,
  podIP: string,
): string {
  const probe = container.livenessProbe ?? {};
  const timeout = behaviour?.unhealthyAs === 'timeout';
  if (probe.httpGet !== undefined) {
    if (!timeout) return 'HTTP probe failed with statuscode: 500';
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const host = probe.httpGet.host ?? podIP;
    const port = portOf(container, probe.httpGet.port);
    const url = `${scheme}://${host}:${port}${probe.httpGet.path ?? '/'}`;
    return `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
  }
  if (probe.tcpSocket !== undefined) {
    const address = `${probe.tcpSocket.host ?? podIP}:${portOf(container, probe.tcpSocket.port)}`;
    return timeout
      ? `dial tcp ${address}: i/o timeout`
      : `dial tcp ${address}: connect: connection refused`;
  }
  if (probe.grpc !== undefined) {
    return timeout
      ? `timeout: health rpc did not complete within ${probe.timeoutSeconds ?? 1}s`
      : 'service unhealthy (responded with "NOT_SERVING")';
  }
  // An exec probe's failure is the command's own output, which a hung check seldom has.
  if (timeout) return `command "${(probe.exec?.command ?? []).join(' ')}" timed out`;
  return '';
}

/** A probe's port as a number: a named port is looked up among the container's ports. */
function portOf(container: Probed, port: number | string | undefined): number | string {
  if (typeof port !== 'string') return port ?? 80;
  return container.ports?.find((p) => p.name === port)?.containerPort ?? port;
}
