import { NETWORKING_KINDS, RBAC_KINDS, SCHEDULING_KINDS } from './access-kinds.ts';
import { APPS_KINDS, AUTOSCALING_KINDS } from './apps-kinds.ts';
import { CORE_KINDS } from './core-kinds.ts';
import type { ObjectType } from './field-type.ts';

/** The described kinds by group/version; a kind not here (a custom resource) stays open. */
const BY_GROUP_VERSION: Readonly<Record<string, Readonly<Record<string, ObjectType>>>> = {
  v1: CORE_KINDS,
  'apps/v1': APPS_KINDS,
  'autoscaling/v2': AUTOSCALING_KINDS,
  'rbac.authorization.k8s.io/v1': RBAC_KINDS,
  'networking.k8s.io/v1': NETWORKING_KINDS,
  'scheduling.k8s.io/v1': SCHEDULING_KINDS,
};

export function schemaOf(apiVersion: string, kind: string): ObjectType | undefined {
  return BY_GROUP_VERSION[apiVersion]?.[kind];
}

export type { FieldType, ObjectType } from './field-type.ts';
