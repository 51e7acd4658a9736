import type { V1ContainerStateTerminated } from '@kubernetes/client-node';
import {
  type ContainerContext,
  eventLines,
  lastTermination,
  logEvidence,
  RULE_CLASS,
  restartsLine,
  terminationLine,
  waitingLine,
} from './container-context.ts';
import { classifyLog } from './crash-cause.ts';
import { causeOfExitCode, explainExitCode } from './exit-codes.ts';
import type { Confidence, Finding } from './finding.ts';

/** How a role's failures are named: the rule's class and the title's verb. */

/**
 * A container that keeps exiting (or an init container that failed for good), with the cause
 * its exit code states, else the one its last log lines show, else what was checked.
 */
export function crashLoop(context: ContainerContext, now = Date.now()): Finding | undefined {
  if (!isFailing(context, now)) return undefined;
  const ended = lastTermination(context);
  const exitCode = typeof ended?.exitCode === 'number' ? ended.exitCode : undefined;
  const lines = logLinesOf(context, ended);
  const explained = explain(context, exitCode, lines);
  return {
    rule:
      explained.kind === undefined
        ? RULE_CLASS[context.role]
        : `${RULE_CLASS[context.role]}/${explained.kind}`,
    // A program that ends cleanly but is restarted is a mistake of its spec, not an outage.
    severity: explained.kind === 'exits-normally' ? 'warning' : 'critical',
    object: context.ref,
    title: titleOf(context),
    cause: explained.cause,
    confidence: explained.confidence,
    confidenceReason: explained.reason,
    evidence: [
      terminationLine(context) ?? `${context.statusField}: no termination recorded`,
      restartsLine(context),
      waitingLine(context) ?? '',
      ...logEvidence(context, explained.lines),
      ...logsUnavailable(context),
      ...eventLines(context, ['BackOff']),
    ],
  };
}

function isFailing(context: ContainerContext, now: number): boolean {
  const { status, role } = context;
  if (status.state?.waiting?.reason === 'CrashLoopBackOff') return true;
  // An init container that failed under restartPolicy Never stays terminated: the pod failed.
  const ended = status.state?.terminated;
  if (role === 'init container' && ended !== undefined && (ended.exitCode ?? 0) !== 0) return true;
  return (
    restartedBetweenBackOffs(context) ||
    restartsWithNoState(context) ||
    failsWithoutBackOff(context, now)
  );
}

/** How recent a failed run must be for restarts alone to mean the container keeps failing. */
const RECENT_FAILURE_MS = 60 * 60_000;

/**
 * A container whose runs last longer than the kubelet's back-off reset (10 minutes) never shows
 * CrashLoopBackOff nor a BackOff event, and back-off events expire: many restarts and a recent
 * failed run say it all the same.
 */
function failsWithoutBackOff(context: ContainerContext, now: number): boolean {
  const { status } = context;
  const last = status.lastState?.terminated;
  if (status.state?.running == null || (status.restartCount ?? 0) < 3) return false;
  if (last == null || (last.exitCode ?? 0) === 0 || last.finishedAt == null) return false;
  const ended = new Date(last.finishedAt).getTime();
  return Number.isFinite(ended) && now - ended >= 0 && now - ended <= RECENT_FAILURE_MS;
}

/**
 * A status that records no current state (an older or partial API answer) but restarts and a
 * failed last run: the container keeps failing, whatever it is doing this second.
 */
function restartsWithNoState(context: ContainerContext): boolean {
  const { status } = context;
  const state = status.state;
  const none =
    state === undefined ||
    state === null ||
    (state.running === undefined && state.waiting === undefined && state.terminated === undefined);
  const last = status.lastState?.terminated;
  return (
    none && (status.restartCount ?? 0) >= 2 && last !== undefined && (last.exitCode ?? 0) !== 0
  );
}

/**
 * A crash-looping container is seen running in the seconds between two back-offs: it has
 * restarted more than once, its last run failed, and the kubelet backed off restarting it after.
 */
function restartedBetweenBackOffs(context: ContainerContext): boolean {
  const { status } = context;
  const last = status.lastState?.terminated;
  if (status.state?.running === undefined || (status.restartCount ?? 0) < 2) return false;
  if (last === undefined || (last.exitCode ?? 0) === 0 || last.finishedAt === undefined)
    return false;
  const ended = new Date(last.finishedAt).getTime();
  return context.events.some(
    (e) =>
      e.reason === 'BackOff' &&
      /restarting failed container/i.test(e.message ?? '') &&
      new Date(e.lastTimestamp ?? e.eventTime ?? 0).getTime() >= ended,
  );
}

function titleOf(context: ContainerContext): string {
  const restarts = `${context.status.restartCount ?? 0} restarts`;
  if (context.role === 'init container')
    return `${context.where} fails (${restarts}), so the pod's containers cannot start`;
  return `${context.where} is crash looping (${restarts})`;
}

/** The lines to read: the last log lines, else the termination message the kubelet kept. */
function logLinesOf(
  context: ContainerContext,
  ended: V1ContainerStateTerminated | undefined,
): string[] {
  const lines = context.log?.lines;
  if (Array.isArray(lines) && lines.length > 0) return lines.filter((l) => typeof l === 'string');
  return (ended?.message ?? '').split('\n').filter((l) => l.trim() !== '');
}

type Explained = {
  kind: string | undefined;
  cause: string;
  confidence: Confidence;
  reason: string;
  lines: string[];
};

function explain(
  context: ContainerContext,
  exitCode: number | undefined,
  lines: string[],
): Explained {
  const stated =
    exitCode === undefined ? undefined : causeOfExitCode(exitCode, context.pod.spec?.restartPolicy);
  const fromStatus = (kind: string, cause: string): Explained => ({
    kind,
    cause: `${context.where} exits because ${cause}`,
    confidence: 'certain',
    reason: `the exit code ${exitCode} states it`,
    lines: lines.slice(-3),
  });
  if (stated !== undefined && stated.kind !== 'signal')
    return fromStatus(stated.kind, stated.cause);
  const logged = classifyLog(lines);
  if (logged !== undefined) {
    return {
      kind: logged.kind,
      cause: `${context.where} exits because ${logged.cause}${logged.quote === undefined ? '' : `; its log says: "${logged.quote}"`}`,
      confidence: 'likely',
      reason: 'read from its last log lines, which usually say why a program stops',
      lines: logged.lines,
    };
  }
  if (stated !== undefined) return fromStatus(stated.kind, stated.cause);
  return undetermined(context, exitCode, lines);
}

function undetermined(
  context: ContainerContext,
  exitCode: number | undefined,
  lines: string[],
): Explained {
  const checked = [
    exitCode === undefined ? 'no exit code recorded' : explainExitCode(exitCode),
    logsChecked(context, lines),
    'events',
  ];
  return {
    kind: undefined,
    cause: `could not determine why ${context.where} exits (checked: ${checked.join(', ')})`,
    confidence: 'unsure',
    reason:
      lines.length === 0
        ? 'no log lines to read the cause from, and the exit code does not say it'
        : 'the exit code and the last log lines show the crash but not its cause',
    lines: lines.slice(-5),
  };
}

function logsChecked(context: ContainerContext, lines: readonly string[]): string {
  const log = context.log;
  if (log?.unavailable !== undefined) return `logs unavailable: ${log.unavailable}`;
  if (log === undefined && lines.length === 0) return 'logs not read';
  if (lines.length === 0) return 'logs empty';
  return `last ${lines.length} log lines`;
}

function logsUnavailable(context: ContainerContext): string[] {
  const reason = context.log?.unavailable;
  return reason === undefined ? [] : [`log ${context.status.name}: unavailable: ${reason}`];
}
