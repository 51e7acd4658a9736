import { type KubeObject, logBytes, type Scenario } from './scenario.ts';

/**
 * `GET …/pods/NAME/log` as the kubelet answers it through the API server: the current or
 * previous instance's output, its last `tailLines` lines, cut at `limitBytes`; and the API
 * server's own 400s when there is nothing to give (no previous instance, a container still
 * waiting, no container named when the pod has several).
 */
export type LogAnswer = { status: number; body: Buffer | string; reason?: string };

type ContainerStatus = {
  name: string;
  state?: { waiting?: { reason?: string } };
  lastState?: { terminated?: unknown };
};

export function podLog(
  scenario: Scenario,
  pod: KubeObject,
  query: URLSearchParams,
): LogAnswer | undefined {
  const name = pod.metadata.name ?? '';
  const spec = (pod as { spec?: { containers?: { name: string }[] } }).spec;
  const names = (spec?.containers ?? []).map((c) => c.name);
  const container = query.get('container') ?? (names.length === 1 ? names[0] : undefined);
  if (container === undefined) {
    return badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`,
    );
  }
  const previous = query.get('previous') === 'true';
  const log = scenario.logs.find(
    (l) => l.pod === name && l.container === container && l.previous === previous,
  );
  if (log === undefined) return missing(pod, name, container, previous);
  const tailed = tail(logBytes(log), numberOf(query.get('tailLines')));
  const limit = numberOf(query.get('limitBytes'));
  return { status: 200, body: limit === undefined ? tailed : tailed.subarray(0, limit) };
}

/** What the API server says when it has no such log. */
function missing(pod: KubeObject, name: string, container: string, previous: boolean): LogAnswer {
  const status = statusOf(pod, container);
  const known = (
    pod as { spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] } }
  ).spec;
  const exists = [...(known?.containers ?? []), ...(known?.initContainers ?? [])].some(
    (c) => c.name === container,
  );
  if (!exists) return badRequest(`container ${container} is not valid for pod ${name}`);
  if (previous) {
    return badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  }
  const waiting = status?.state?.waiting?.reason;
  if (waiting !== undefined) {
    return badRequest(`container "${container}" in pod "${name}" is waiting to start: ${waiting}`);
  }
  return { status: 200, body: '' };
}

function statusOf(pod: KubeObject, container: string): ContainerStatus | undefined {
  const status = (
    pod as {
      status?: { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
    }
  ).status;
  return [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])].find(
    (s) => s.name === container,
  );
}

function badRequest(message: string): LogAnswer {
  return { status: 400, body: message, reason: 'BadRequest' };
}

function numberOf(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The last `lines` lines of the output (all of it without a number). */
function tail(bytes: Buffer, lines: number | undefined): Buffer {
  if (lines === undefined) return bytes;
  if (lines === 0) return Buffer.alloc(0);
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end -= 1;
  let seen = 0;
  for (let i = end - 1; i >= 0; i -= 1) {
    if (bytes[i] === 0x0a) {
      seen += 1;
      if (seen === lines) return bytes.subarray(i + 1);
    }
  }
  return bytes;
}
