import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { eventsAbout, type Finding, refOf } from './finding.ts';
import type { PendingContext } from './pending.ts';
import type { Cause } from './pending-causes.ts';
import type { SchedulerReason } from './schedule-message.ts';

const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

/** Provisioners whose volumes attach to one node at a time: ReadWriteMany cannot be had of them. */
const SINGLE_NODE = new Set([
  'ebs.csi.aws.com',
  'kubernetes.io/aws-ebs',
  'pd.csi.storage.gke.io',
  'kubernetes.io/gce-pd',
  'disk.csi.azure.com',
  'kubernetes.io/azure-disk',
  'rancher.io/local-path',
  'kubernetes.io/no-provisioner',
  'cinder.csi.openstack.org',
]);

/**
 * A pod that waits for a claim: the scheduler says only that the claim is unbound; the claim,
 * its class and the provisioner's events say why.
 */
export function claimFinding(context: PendingContext, reason: SchedulerReason): Finding {
  const claims = claimsOf(context);
  const unbound = claims.find((c) => c.status?.phase !== 'Bound');
  const name =
    reason.kind === 'missing-claim' ? (reason.subject ?? '?') : (unbound?.metadata?.name ?? '?');
  const cause =
    reason.kind === 'missing-claim'
      ? missing(name)
      : unbound === undefined
        ? unknown(name, claims.length === 0)
        : claimCause(unbound, context);
  return {
    rule: cause.rule,
    severity: 'warning',
    object: context.ref,
    title: `pod ${context.ref.name} is Pending: its volume claim ${name} is not bound`,
    cause: cause.cause,
    confidence: cause.confidence,
    confidenceReason: cause.confidenceReason,
    evidence: [...context.evidence, ...cause.evidence],
  };
}

function claimsOf(context: PendingContext): V1PersistentVolumeClaim[] {
  const names = (context.pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName === undefined ? [] : [v.persistentVolumeClaim.claimName],
  );
  return context.snapshot.pvcs.filter(
    (c) =>
      names.includes(c.metadata?.name ?? '') &&
      c.metadata?.namespace === context.pod.metadata?.namespace,
  );
}

function missing(name: string): Cause {
  return {
    rule: 'pending/pvc-missing',
    cause: `it mounts the PersistentVolumeClaim ${name}, which does not exist`,
    confidence: 'certain',
    confidenceReason: 'the scheduler says the claim is not found',
    evidence: [],
  };
}

function unknown(name: string, unread: boolean): Cause {
  return {
    rule: 'pending/pvc-unbound',
    cause: `could not determine why its claim ${name} is unbound (checked: ${unread ? 'the claim could not be read' : 'the claims read'})`,
    confidence: 'unsure',
    confidenceReason:
      'the scheduler says a claim is unbound, but the claim is not in what was read',
    evidence: [],
  };
}

function claimCause(claim: V1PersistentVolumeClaim, context: PendingContext): Cause {
  const { snapshot } = context;
  const ref = refOf('PersistentVolumeClaim', claim);
  const events = eventsAbout(
    snapshot.events,
    ref,
    ['ProvisioningFailed', 'ExternalProvisioning', 'FailedBinding'],
    2,
  );
  const className = claim.spec?.storageClassName;
  const modes = claim.spec?.accessModes ?? [];
  const evidence = [
    `PersistentVolumeClaim ${ref.name} status.phase: ${claim.status?.phase ?? '(none)'}`,
    `PersistentVolumeClaim ${ref.name} spec.storageClassName: ${className ?? '(unset)'}, spec.accessModes: ${modes.join(', ') || '(none)'}`,
    ...events,
  ];
  const defaults = snapshot.storageClasses.filter(
    (c) => c.metadata?.annotations?.[DEFAULT_CLASS] === 'true',
  );
  if (className === undefined || className === null) {
    if (defaults.length === 0)
      return {
        rule: 'pending/pvc-no-storage-class',
        cause: `its claim ${ref.name} names no StorageClass and the cluster has no default one, so nothing provisions a volume for it`,
        confidence: snapshot.storageClasses.length > 0 || events.length > 0 ? 'certain' : 'likely',
        confidenceReason:
          'the claim has no storageClassName and no StorageClass is annotated as default',
        evidence: [
          ...evidence,
          `StorageClasses: ${snapshot.storageClasses.map((c) => c.metadata?.name).join(', ') || '(none)'}`,
        ],
      };
  } else if (
    className !== '' &&
    !snapshot.storageClasses.some((c) => c.metadata?.name === className)
  ) {
    return {
      rule: 'pending/pvc-storage-class-missing',
      cause: `its claim ${ref.name} asks for the StorageClass ${className}, which does not exist`,
      confidence: 'certain',
      confidenceReason: 'no StorageClass of that name is in the cluster',
      evidence: [
        ...evidence,
        `StorageClasses: ${snapshot.storageClasses.map((c) => c.metadata?.name).join(', ') || '(none)'}`,
      ],
    };
  }
  const storageClass = snapshot.storageClasses.find(
    (c) => c.metadata?.name === (className ?? defaults[0]?.metadata?.name),
  );
  return provisioning(ref.name, modes, storageClass, events, evidence);
}

function provisioning(
  claim: string,
  modes: readonly string[],
  storageClass: V1StorageClass | undefined,
  events: readonly string[],
  evidence: string[],
): Cause {
  const failed = events.find((e) => e.startsWith('event ProvisioningFailed'));
  const provisioner = storageClass?.provisioner ?? '?';
  const wantsMany = modes.includes('ReadWriteMany') || modes.includes('ReadOnlyMany');
  const classLine =
    storageClass === undefined
      ? []
      : [`StorageClass ${storageClass.metadata?.name} provisioner: ${provisioner}`];
  if (
    (failed !== undefined && /access ?modes?/i.test(failed)) ||
    (wantsMany && SINGLE_NODE.has(provisioner))
  )
    return {
      rule: 'pending/pvc-access-mode',
      cause: `its claim ${claim} asks for ${modes.join(', ')}, which the provisioner ${provisioner} cannot give (its volumes attach to one node)`,
      confidence: failed !== undefined ? 'certain' : 'likely',
      confidenceReason:
        failed !== undefined
          ? 'the provisioner refused the access mode in a ProvisioningFailed event'
          : `${provisioner} is known to provision single-node volumes only`,
      evidence: [...evidence, ...classLine],
    };
  if (failed !== undefined)
    return {
      rule: 'pending/pvc-provisioning-failed',
      cause: `the provisioner ${provisioner} failed to create a volume for its claim ${claim}: ${failed.replace(/^event ProvisioningFailed: /, '')}`,
      confidence: 'certain',
      confidenceReason: 'the provisioner says so in a ProvisioningFailed event',
      evidence: [...evidence, ...classLine],
    };
  return {
    rule: 'pending/pvc-unbound',
    cause: `could not determine why its claim ${claim} is unbound (checked: its StorageClass, access modes and provisioning events; is the provisioner ${provisioner} running?)`,
    confidence: 'unsure',
    confidenceReason: 'the claim is Pending with no provisioning failure recorded',
    evidence: [...evidence, ...classLine],
  };
}
