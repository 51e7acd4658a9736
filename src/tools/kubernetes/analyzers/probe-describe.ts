import type { V1Container, V1Probe } from '@kubernetes/client-node';

/**
 * A probe as a person reads it: what it checks and how often, from its definition in the pod:
 * "HTTP GET /healthz on port http (8080); timeout 1s, every 10s, 3 failures in a row".
 */
export function describeProbe(probe: V1Probe | undefined, container: V1Container | undefined) {
  if (probe === undefined) return 'not found in the pod spec';
  return `${probeTarget(probe, container)}; ${probeTiming(probe)}`;
}

export function probeTarget(probe: V1Probe, container: V1Container | undefined): string {
  if (probe.httpGet !== undefined) {
    const scheme = probe.httpGet.scheme === 'HTTPS' ? 'HTTPS ' : 'HTTP ';
    const host = probe.httpGet.host === undefined ? '' : ` of host ${probe.httpGet.host}`;
    return `${scheme}GET ${probe.httpGet.path ?? '/'} on port ${portName(probe.httpGet.port, container)}${host}`;
  }
  if (probe.tcpSocket !== undefined)
    return `TCP connect to port ${portName(probe.tcpSocket.port, container)}`;
  if (probe.grpc !== undefined)
    return `gRPC health check on port ${probe.grpc.port}${probe.grpc.service ? ` (service ${probe.grpc.service})` : ''}`;
  if (probe.exec !== undefined) return `command \`${(probe.exec.command ?? []).join(' ')}\``;
  return 'a probe of unknown type';
}

function probeTiming(probe: V1Probe): string {
  const parts = [
    `timeout ${probe.timeoutSeconds ?? 1}s`,
    `every ${probe.periodSeconds ?? 10}s`,
    `${probe.failureThreshold ?? 3} failures in a row`,
  ];
  if ((probe.initialDelaySeconds ?? 0) > 0)
    parts.push(`initial delay ${probe.initialDelaySeconds}s`);
  return parts.join(', ');
}

/** Seconds a startup probe lets a container take before it is killed. */
export function startupBudget(probe: V1Probe): { seconds: number; formula: string } {
  const delay = probe.initialDelaySeconds ?? 0;
  const threshold = probe.failureThreshold ?? 3;
  const period = probe.periodSeconds ?? 10;
  return {
    seconds: delay + threshold * period,
    formula: `initialDelaySeconds ${delay} + failureThreshold ${threshold} × periodSeconds ${period}`,
  };
}

/** A port as the spec gives it, with the number a named port stands for. */
function portName(port: number | string | undefined, container: V1Container | undefined): string {
  if (port === undefined) return '(none)';
  if (typeof port === 'number' || /^\d+$/.test(port)) return String(port);
  const number = (container?.ports ?? []).find((p) => p.name === port)?.containerPort;
  return number === undefined ? port : `${port} (${number})`;
}

/** What a probe's failure message says, as a rule's cause part and a phrase. */
export function probeFailureKind(message: string): { kind: string; says: string } | undefined {
  const status = /statuscode: (\d{3})/.exec(message);
  if (status !== null) return { kind: 'http-status', says: `it answers HTTP ${status[1]}` };
  if (/connection refused/i.test(message))
    return {
      kind: 'connection-refused',
      says: 'nothing listens on the probed port (connection refused)',
    };
  if (/deadline exceeded|timeout|timed out/i.test(message))
    return { kind: 'timeout', says: 'it does not answer within the probe timeout' };
  return undefined;
}
