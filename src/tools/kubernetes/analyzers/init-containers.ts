import { type ContainerContext, eventLines, isoOf } from './container-context.ts';
import type { Finding } from './finding.ts';

/** An init container running longer than this is stuck, not slow: most finish in seconds. */
export const STUCK_AFTER_MS = 5 * 60 * 1000;

/** Commands that wait for something else before the pod may start, and what they wait for. */
const WAITS: readonly { pattern: RegExp; what: (m: RegExpExecArray) => string }[] = [
  {
    pattern: /\b(?:nslookup|getent hosts|dig|host)\s+([\w.-]+)/,
    what: (m) => `the host name ${m[1]} to resolve`,
  },
  {
    pattern: /\bnc\s+(?:-\w+\s+)*([\w.-]+)[\s:]+(\d{1,5})/,
    what: (m) => `${m[1]}:${m[2]} to accept connections`,
  },
  {
    pattern: /\bwait-for(?:-it)?(?:\.sh)?\s+(?:-\w+\s+)*([\w.-]+:\d{1,5})/,
    what: (m) => `${m[1]} to accept connections`,
  },
  {
    pattern: /\bpg_isready\b[^;|&]*?-h\s*([\w.-]+)/,
    what: (m) => `PostgreSQL at ${m[1]} to be ready`,
  },
  { pattern: /\b(?:curl|wget)\b[^;|&]*?(https?:\/\/[^\s;'"]+)/, what: (m) => `${m[1]} to answer` },
];

/**
 * An init container that has been running for long: the pod's containers wait for it. Its
 * command often says what it waits for (`until nslookup db; do sleep 2; done`).
 */
export function initStuck(context: ContainerContext, now: number): Finding | undefined {
  const running = context.status.state?.running;
  if (context.role !== 'init container' || running?.startedAt === undefined) return undefined;
  const started = new Date(running.startedAt).getTime();
  if (Number.isNaN(started) || now - started < STUCK_AFTER_MS) return undefined;
  const minutes = Math.round((now - started) / 60_000);
  const command = [...(context.spec?.command ?? []), ...(context.spec?.args ?? [])].join(' ');
  const wait = WAITS.map((w) => ({ w, m: w.pattern.exec(command) })).find((x) => x.m !== null);
  return {
    rule: wait === undefined ? 'init-container/stuck' : 'init-container/waiting-for-dependency',
    severity: 'critical',
    object: context.ref,
    title: `${context.where} has been running for ${minutes}m, so the pod's containers cannot start`,
    cause:
      wait?.m == null
        ? `could not determine why ${context.where} does not finish (checked: its command, its status and events; the logs of a running init container are not read)`
        : `${context.where} waits for ${wait.w.what(wait.m)}, which has not happened in ${minutes}m: check that it exists and is reachable from the pod`,
    confidence: wait === undefined ? 'unsure' : 'likely',
    confidenceReason:
      wait === undefined
        ? 'its status shows it running, not what it does'
        : 'its command loops on that check, and it is still running',
    evidence: [
      `${context.statusField}.state.running: since ${isoOf(running.startedAt)}`,
      ...(command === '' ? [] : [`${context.specField}.command: ${command}`]),
      ...eventLines(context, ['Failed', 'BackOff', 'Unhealthy']),
    ],
  };
}
