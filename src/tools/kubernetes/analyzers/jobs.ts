import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import { eventsAbout, type Finding, refOf, type Snapshot } from './finding.ts';
import { isoTime } from './time.ts';

/**
 * Findings about Jobs that failed (backoff limit, deadline, pod failure policy) with the pod that
 * failed last, Jobs whose pod a sidecar keeps running after their work ended, and Jobs suspended. A Job that completed is not a finding.
 */
export function analyzeJobs(snapshot: Snapshot): Finding[] {
  const runs = runsByCronJob(snapshot.jobs);
  return snapshot.jobs.flatMap((job) => {
    const siblings = runs.get(cronJobKey(job) ?? '');
    // Of a CronJob's runs the newest finished one says how it is now; the others are history.
    if (siblings !== undefined && (siblings.find(isFinished) ?? siblings[0]) !== job) return [];
    const finding = jobFinding(job, snapshot);
    if (finding === undefined || siblings === undefined || siblings.length < 2)
      return finding ?? [];
    const failed = siblings.filter(isFailed).length;
    return {
      ...finding,
      evidence: [
        ...finding.evidence,
        `${failed} of the ${siblings.length} runs of its CronJob still listed failed: ${siblings
          .slice(0, 4)
          .map(
            (j) =>
              `${j.metadata?.name} ${isFailed(j) ? 'failed' : j.status?.succeeded ? 'succeeded' : 'running'}`,
          )
          .join(', ')}`,
      ],
    };
  });
}

function cronJobKey(job: V1Job): string | undefined {
  const owner = job.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
  return owner === undefined ? undefined : `${job.metadata?.namespace}/${owner.name}`;
}

/** Each CronJob's jobs, newest first. */
function runsByCronJob(jobs: readonly V1Job[]): Map<string, V1Job[]> {
  const time = (j: V1Job) =>
    new Date(j.status?.startTime ?? j.metadata?.creationTimestamp ?? 0).getTime() || 0;
  const runs = new Map<string, V1Job[]>();
  for (const job of jobs) {
    const key = cronJobKey(job);
    if (key !== undefined) runs.set(key, [...(runs.get(key) ?? []), job]);
  }
  for (const list of runs.values()) list.sort((a, b) => time(b) - time(a));
  return runs;
}

function isFinished(job: V1Job): boolean {
  return (
    job.status?.conditions?.some(
      (c) => (c.type === 'Failed' || c.type === 'Complete') && c.status === 'True',
    ) === true
  );
}

function isFailed(job: V1Job): boolean {
  return job.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') === true;
}

const FAILED: Record<string, { rule: string; why: (job: V1Job) => string }> = {
  BackoffLimitExceeded: {
    rule: 'job/backoff-limit',
    why: (job) =>
      `its pods failed ${job.status?.failed ?? '?'} times, past its backoffLimit of ${job.spec?.backoffLimit ?? 6}`,
  },
  DeadlineExceeded: {
    rule: 'job/deadline-exceeded',
    why: (job) =>
      `it ran longer than its activeDeadlineSeconds (${job.spec?.activeDeadlineSeconds ?? '?'}s) and its pods were stopped`,
  },
  PodFailurePolicy: {
    rule: 'job/pod-failure-policy',
    why: () => 'a pod failed in a way its podFailurePolicy says fails the whole Job',
  },
  MaxFailedIndexesExceeded: {
    rule: 'job/failed-indexes',
    why: (job) =>
      `more indexes failed than its maxFailedIndexes (${job.spec?.maxFailedIndexes ?? '?'})`,
  },
};

function jobFinding(job: V1Job, snapshot: Snapshot): Finding | undefined {
  const ref = refOf('Job', job);
  const conditions = job.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return undefined;
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed !== undefined) return failedJob(job, failed, snapshot);
  const stuck = sidecarKeepsRunning(job, snapshot.pods);
  if (stuck !== undefined) return stuck;
  if (job.spec?.suspend !== true) return undefined;
  return {
    rule: 'job/suspended',
    severity: 'info',
    object: ref,
    title: `job ${ref.name} is suspended`,
    cause: 'spec.suspend is true, so it starts no pods until someone resumes it',
    confidence: 'certain',
    confidenceReason: 'the Job spec says so',
    evidence: [`Job ${ref.name} spec.suspend: true`],
  };
}

function failedJob(job: V1Job, failed: V1JobCondition, snapshot: Snapshot): Finding {
  const ref = refOf('Job', job);
  const known = FAILED[failed.reason ?? ''];
  const failedPods = failedPodsOf(job, snapshot.pods);
  const pod = failedPods[0];
  const cronJob = job.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob')?.name;
  const ended = pod === undefined ? undefined : podEnding(pod);
  // The newest failed pod whose log was read: logs are read for a few containers only.
  const said = failedPods.map((p) => lastWords(p, snapshot)).find((w) => w !== undefined);
  return {
    rule: known?.rule ?? 'job/failed',
    severity: 'warning',
    object: ref,
    title: `job ${ref.name}${cronJob ? ` (of cronjob ${cronJob})` : ''} failed`,
    cause: `${known?.why(job) ?? `the Job failed: ${failed.message ?? failed.reason ?? 'no reason given'}`}${ended ? `; its last failed pod ${pod?.metadata?.name} ended with ${ended.text}` : ''}${said ? `, its log ending: ${said.line}` : ''}`,
    confidence: known === undefined ? 'likely' : 'certain',
    confidenceReason:
      known === undefined
        ? 'the Job failed with a reason the analyzers do not know'
        : `the Job's Failed condition says ${failed.reason}`,
    evidence: [
      `Job ${ref.name} status.conditions[Failed]: ${failed.reason ?? ''}: ${failed.message ?? ''}`,
      `Job ${ref.name} status: ${job.status?.failed ?? 0} failed, ${job.status?.succeeded ?? 0} succeeded, backoffLimit ${job.spec?.backoffLimit ?? 6}`,
      ...(ended ? [ended.line] : []),
      ...(said ? [`log ${said.container}: ${said.line}`] : []),
      ...eventsAbout(
        snapshot.events,
        ref,
        ['BackoffLimitExceeded', 'DeadlineExceeded', 'PodFailurePolicy'],
        1,
      ),
    ],
  };
}

/**
 * A Job pod whose main container finished while another of its containers (an injected proxy, a
 * log shipper) keeps running: the pod stays Running, so the Job neither completes nor fails.
 * Native sidecars (init containers with restartPolicy Always) are stopped by Kubernetes once the
 * main containers end, so they are not in containerStatuses and do not count here.
 */
function sidecarKeepsRunning(job: V1Job, pods: readonly V1Pod[]): Finding | undefined {
  for (const pod of podsOf(job, pods).filter((p) => p.status?.phase === 'Running')) {
    const statuses = pod.status?.containerStatuses ?? [];
    const done = statuses.find((s) => s.state?.terminated !== undefined);
    const running = statuses.filter((s) => s.state?.running !== undefined);
    const end = done?.state?.terminated;
    if (done === undefined || end === undefined || running.length === 0) continue;
    return sidecarFinding(
      job,
      pod,
      { name: done.name, end },
      running.map((s) => s.name),
    );
  }
  return undefined;
}

function sidecarFinding(
  job: V1Job,
  pod: V1Pod,
  done: { name: string; end: { exitCode: number; reason?: string; finishedAt?: Date } },
  running: readonly string[],
): Finding {
  const ref = refOf('Job', job);
  const podName = pod.metadata?.name ?? '?';
  const names = running.join(', ');
  const istio =
    running.includes('istio-proxy') ||
    pod.metadata?.annotations?.['sidecar.istio.io/status'] !== undefined;
  const when = done.end.finishedAt ? ` at ${isoTime(done.end.finishedAt)}` : '';
  const fix = istio
    ? 'make istio-proxy a native sidecar (pod annotation sidecar.istio.io/nativeSidecar: "true") or have the job end it when done (curl -XPOST localhost:15020/quitquitquit)'
    : `run ${names} as a native sidecar (an init container with restartPolicy: Always), which Kubernetes stops when the main containers end, or have the job stop it when done`;
  return {
    rule: 'job/sidecar-keeps-running',
    severity: 'warning',
    object: ref,
    title: `job ${ref.name} never completes: its pod stays Running after its work ended`,
    cause: `container ${done.name} of pod ${podName} finished with exit code ${done.end.exitCode}${when}, but sidecar ${names} is still running, so the pod never ends and the Job stays active; ${fix}`,
    confidence: 'certain',
    confidenceReason: `the pod's status shows ${done.name} terminated and ${names} running`,
    evidence: [
      `Pod ${podName} status.containerStatuses[${done.name}].state.terminated: ${done.end.reason ?? 'exit'} (exit code ${done.end.exitCode})${when}`,
      ...running.map((n) => `Pod ${podName} status.containerStatuses[${n}].state: running`),
      `Pod ${podName} status.phase: Running`,
      `Job ${ref.name} status: ${job.status?.active ?? 0} active, ${job.status?.succeeded ?? 0} succeeded`,
    ],
  };
}

/** The line of a failed pod's log that says why: the last naming a cause, else an error, else the last. */
function lastWords(
  pod: V1Pod,
  snapshot: Snapshot,
): { container: string; line: string } | undefined {
  const log = snapshot.logs.find(
    (l) =>
      l.pod === pod.metadata?.name &&
      l.namespace === pod.metadata?.namespace &&
      (l.lines?.length ?? 0) > 0,
  );
  const lines = log?.lines ?? [];
  // A line naming a specific cause beats the generic "failed" a program ends on.
  const last = (pattern: RegExp) => [...lines].reverse().find((l) => pattern.test(l));
  const line =
    last(
      /does not exist|not found|no such|denied|refused|timed? ?out|unauthori[sz]ed|FATAL|exception|panic/i,
    ) ??
    last(/error|failed/i) ??
    lines.at(-1);
  return log === undefined || line === undefined
    ? undefined
    : { container: log.container, line: line.slice(0, 300) };
}

function failedPodsOf(job: V1Job, pods: readonly V1Pod[]): V1Pod[] {
  return podsOf(job, pods).filter((p) => p.status?.phase === 'Failed');
}

/** A Job's pods, newest first. */
function podsOf(job: V1Job, pods: readonly V1Pod[]): V1Pod[] {
  const uid = job.metadata?.uid;
  const time = (p: V1Pod) =>
    new Date(p.status?.startTime ?? p.metadata?.creationTimestamp ?? 0).getTime() || 0;
  return pods
    .filter(
      (p) =>
        p.metadata?.namespace === job.metadata?.namespace &&
        p.metadata?.ownerReferences?.some(
          (o) => o.kind === 'Job' && (uid ? o.uid === uid : o.name === job.metadata?.name),
        ),
    )
    .sort((a, b) => time(b) - time(a));
}

/** How a failed pod's containers ended: the first one that ended badly. */
function podEnding(pod: V1Pod): { text: string; line: string } | undefined {
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const s of statuses) {
    const t = s.state?.terminated ?? s.lastState?.terminated;
    if (t === undefined || t.exitCode === 0) continue;
    const text = `${t.reason ?? 'exit'} (exit code ${t.exitCode})${t.message ? `: ${t.message.slice(0, 200)}` : ''}`;
    return {
      text,
      line: `Pod ${pod.metadata?.name} status.containerStatuses[${s.name}].state.terminated: ${text}`,
    };
  }
  if (pod.status?.reason !== undefined)
    return {
      text: `${pod.status.reason}: ${pod.status.message ?? ''}`,
      line: `Pod ${pod.metadata?.name} status.reason: ${pod.status.reason}: ${pod.status.message ?? ''}`,
    };
  return undefined;
}
