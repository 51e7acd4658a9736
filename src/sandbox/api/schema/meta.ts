import {
  bool,
  type Fields,
  int32,
  int64,
  listOf,
  mergedList,
  type ObjectType,
  string,
  stringMap,
  strings,
  struct,
} from './field-type.ts';

/** `metav1.ObjectMeta` and the pieces every kind shares. */
const ownerReference = struct('v1.OwnerReference', {
  apiVersion: string,
  kind: string,
  name: string,
  uid: string,
  controller: bool,
  blockOwnerDeletion: bool,
});

export const objectMeta = struct('v1.ObjectMeta', {
  name: string,
  generateName: string,
  namespace: string,
  selfLink: string,
  uid: string,
  resourceVersion: string,
  generation: int64,
  creationTimestamp: string,
  deletionTimestamp: string,
  deletionGracePeriodSeconds: int64,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: mergedList(ownerReference, 'uid'),
  finalizers: mergedList(string),
  managedFields: listOf(struct('v1.ManagedFieldsEntry')),
});

export const labelSelector = struct('v1.LabelSelector', {
  matchLabels: stringMap,
  matchExpressions: listOf(
    struct('v1.LabelSelectorRequirement', { key: string, operator: string, values: strings }),
  ),
});

export const objectReference = struct('v1.ObjectReference', {
  kind: string,
  namespace: string,
  name: string,
  uid: string,
  apiVersion: string,
  resourceVersion: string,
  fieldPath: string,
});

/** A top-level kind: `apiVersion`, `kind`, `metadata` and its own fields. */
export function topLevel(go: string, fields: Fields): ObjectType {
  return struct(go, { apiVersion: string, kind: string, metadata: objectMeta, ...fields });
}

/** Status counters that are all `int32`. */
export function counters(...names: string[]): Fields {
  return Object.fromEntries(names.map((name) => [name, int32]));
}
