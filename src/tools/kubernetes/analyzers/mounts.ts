import type { V1Pod } from '@kubernetes/client-node';
import { podPath } from './container-context.ts';
import { eventsAbout, type Finding, refOf, type Snapshot } from './finding.ts';

/**
 * A pod whose containers are not created because a volume cannot be set up: the kubelet's
 * `FailedMount` event names the volume and why ("MountVolume.SetUp failed for volume "config" :
 * configmap "app-config" not found"). Claims that do not bind are the pending analyzer's.
 */
export function mountFailed(pod: V1Pod, snapshot: Snapshot): Finding | undefined {
  if (pod.status?.phase !== 'Pending') return undefined;
  const ref = refOf('Pod', pod);
  const lines = eventsAbout(snapshot.events, ref, ['FailedMount'], 20);
  const setUp = lines
    .map((line) =>
      /MountVolume\.SetUp failed for volume "([^"]+)" ?: ?(.*?)(?: \(x\d+\))?$/.exec(line),
    )
    .find((m) => m !== null);
  if (setUp === undefined || setUp === null) return undefined;
  const [, volume = '', reason = ''] = setUp;
  const missing = /(configmap|secret) "([^"]+)" not found/i.exec(reason);
  const kind = missing?.[1]?.toLowerCase() === 'secret' ? 'secret' : 'configmap';
  return {
    rule: missing === null ? 'mount-failed' : `missing-reference/${kind}`,
    severity: 'critical',
    object: ref,
    title:
      missing === null
        ? `pod ${ref.name} cannot start: volume ${volume} cannot be mounted`
        : `pod ${ref.name} mounts ${kind} ${missing[2]} as volume ${volume}, and it does not exist`,
    cause:
      missing === null
        ? `the kubelet cannot set up volume ${volume}: ${reason}`
        : `${kind} ${missing[2]} does not exist in namespace ${ref.namespace ?? '(unknown)'}, so volume ${volume} cannot be mounted: create it, or fix the volume (or mark it optional)`,
    confidence: 'certain',
    confidenceReason: "the kubelet's FailedMount event states it",
    evidence: [
      ...(pod.spec?.volumes ?? [])
        .filter((v) => v.name === volume)
        .map((v) => `${podPath(ref)} spec.volumes[${v.name}]: ${volumeSource(v)}`),
      ...lines.slice(0, 3),
    ],
  };
}

function volumeSource(volume: NonNullable<NonNullable<V1Pod['spec']>['volumes']>[number]): string {
  if (volume.configMap !== undefined) return `configMap ${volume.configMap.name ?? ''}`;
  if (volume.secret !== undefined) return `secret ${volume.secret.secretName ?? ''}`;
  if (volume.persistentVolumeClaim !== undefined)
    return `persistentVolumeClaim ${volume.persistentVolumeClaim.claimName}`;
  if (volume.projected !== undefined) return 'projected';
  return Object.keys(volume).filter((k) => k !== 'name')[0] ?? 'unknown source';
}
