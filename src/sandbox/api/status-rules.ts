import type { Target } from './request.ts';
import type { KObject } from './store.ts';

/**
 * What a write may change, by endpoint, as the real registry strategies decide: the main
 * resource keeps the stored status (custom resources without a status subresource excepted),
 * and `status` keeps the stored spec. Through `status` the workloads also keep their labels and
 * pods their owner references and deletion time; other metadata (annotations) may change.
 */
const KEEPS_LABELS_ON_STATUS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

export function keepStatusRules(target: Target, next: KObject, current: KObject): KObject {
  if (target.sub !== 'status') {
    if (target.type.custom === true && !(target.type.subresources ?? []).includes('status'))
      return next;
    return withField(next, 'status', current.status);
  }
  const out = withField(next, 'spec', current.spec);
  const metadata = { ...out.metadata };
  if (KEEPS_LABELS_ON_STATUS.has(target.type.kind))
    setOrDelete(metadata, 'labels', current.metadata.labels);
  if (target.type.kind === 'Pod') {
    setOrDelete(metadata, 'ownerReferences', current.metadata.ownerReferences);
    setOrDelete(metadata, 'deletionTimestamp', current.metadata.deletionTimestamp);
  }
  return { ...out, metadata };
}

function withField(object: KObject, key: 'spec' | 'status', value: unknown): KObject {
  const { [key]: _, ...rest } = object;
  return (value === undefined ? rest : { ...rest, [key]: value }) as KObject;
}

function setOrDelete(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
