/**
 * What an alert is about, for storm control: the cluster and the workload (namespace and name:
 * a Deployment, StatefulSet, DaemonSet, Job or CronJob label, else a pod's name without the
 * suffixes its ReplicaSet and itself add), or the node, or at least the namespace. Alerts about
 * one subject share one investigation. The workload's kind is left out: a crash-looping pod's
 * alert names the pod, its deployment's replicas-mismatch alert names the deployment, and both
 * are about the same workload, so they are one subject and one investigation. Undefined when the
 * labels name none of these.
 */
const WORKLOAD_LABELS = ['deployment', 'statefulset', 'daemonset', 'job_name', 'cronjob'] as const;

export function subjectOf(labels: Readonly<Record<string, string>>): string | undefined {
  // Read in chat ("it is about …"): the cluster only when the alert names one. Each value is
  // encoded, so that no label holding a `/` can spell another alert's subject.
  const part = (value: string) => encodeURIComponent(value);
  const within = (rest: string) =>
    labels.cluster === undefined ? rest : `${part(labels.cluster)}/${rest}`;
  const namespace = labels.namespace;
  if (namespace === undefined)
    return labels.node === undefined ? undefined : within(`node/${part(labels.node)}`);
  const workload =
    WORKLOAD_LABELS.map((kind) => labels[kind]).find((name) => name !== undefined) ??
    (labels.pod === undefined ? undefined : podOwner(labels.pod));
  if (workload !== undefined) return within(`${part(namespace)}/workload/${part(workload)}`);
  return within(part(namespace));
}

/** `payments-api-7d9f8b6c5d-x2k4q` → `payments-api`; a StatefulSet's `db-0` → `db`. */
function podOwner(pod: string): string {
  const replicaSet = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(pod);
  if (replicaSet?.[1] !== undefined) return replicaSet[1];
  const ordinal = /^(.+)-\d+$/.exec(pod);
  return ordinal?.[1] ?? pod;
}
