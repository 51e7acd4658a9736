import { stamp } from './events.ts';

/** A Deployment's Progressing and Available conditions, with the times kubectl shows. */
export type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
};

function condition(type: string, status: string, reason: string, message: string): Condition {
  return { type, status, reason, message };
}

export function progressingCondition(
  rsName: string,
  complete: boolean,
  deadlinePassed: boolean,
): Condition {
  if (complete)
    return condition(
      'Progressing',
      'True',
      'NewReplicaSetAvailable',
      `ReplicaSet "${rsName}" has successfully progressed.`,
    );
  if (deadlinePassed)
    return condition(
      'Progressing',
      'False',
      'ProgressDeadlineExceeded',
      `ReplicaSet "${rsName}" has timed out progressing.`,
    );
  return condition(
    'Progressing',
    'True',
    'ReplicaSetUpdated',
    `ReplicaSet "${rsName}" is progressing.`,
  );
}

/** Set while `spec.paused`, so that a paused rollout never times out. */
export function pausedCondition(): Condition {
  return condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused');
}

/** Set when a paused deployment is resumed, until its rollout makes progress again. */
export function resumedCondition(): Condition {
  return condition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed');
}

export function availableCondition(minimum: boolean): Condition {
  return minimum
    ? condition(
        'Available',
        'True',
        'MinimumReplicasAvailable',
        'Deployment has minimum availability.',
      )
    : condition(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
      );
}

export function keepTimes(
  next: Condition,
  previous: Condition[] | undefined,
  now: Date,
  since: number,
): Condition {
  const before = previous?.find((c) => c.type === next.type);
  const same =
    before !== undefined && before.status === next.status && before.reason === next.reason;
  const at = next.type === 'Progressing' ? stamp(new Date(since)) : stamp(now);
  return {
    ...next,
    lastUpdateTime: same && next.type !== 'Progressing' ? (before.lastUpdateTime ?? at) : at,
    lastTransitionTime:
      before !== undefined && before.status === next.status
        ? (before.lastTransitionTime ?? at)
        : stamp(now),
  };
}
