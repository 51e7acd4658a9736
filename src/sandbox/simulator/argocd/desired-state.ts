import { parseAllDocuments } from 'yaml';
import { findKind } from '../../api/catalog.ts';
import type { KObject } from '../../api/store.ts';
import type { ManifestFile } from './git-repository.ts';

/**
 * What an Application wants in the cluster: the objects its manifests declare, each in the
 * destination namespace unless it names its own, and each carrying Argo CD's default tracking
 * label (`app.kubernetes.io/instance: <application>`), as the manifests are applied.
 */
export const TRACKING_LABEL = 'app.kubernetes.io/instance';

export type DesiredObject = { object: KObject; file: string };

export type DesiredState = { ok: true; objects: DesiredObject[] } | { ok: false; error: string };

export function desiredState(
  files: readonly ManifestFile[],
  app: { name: string; namespace: string | undefined },
): DesiredState {
  const objects: DesiredObject[] = [];
  for (const file of files) {
    const documents = parseAllDocuments(file.text);
    const list = Array.isArray(documents) ? documents : [documents];
    for (const document of list) {
      const problem = document.errors[0];
      if (problem !== undefined)
        return { ok: false, error: `${file.path}: ${problem.message.split('\n')[0]}` };
      const value: unknown = document.toJS();
      if (value === null || value === undefined) continue;
      const made = objectOf(value, file.path, app);
      if (typeof made === 'string') return { ok: false, error: made };
      objects.push({ object: made, file: file.path });
    }
  }
  return { ok: true, objects };
}

function objectOf(
  value: unknown,
  path: string,
  app: { name: string; namespace: string | undefined },
): KObject | string {
  const object = value as Partial<KObject>;
  if (typeof object !== 'object' || Array.isArray(object))
    return `${path}: a manifest must be a Kubernetes object`;
  const name = object.metadata?.name;
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string')
    return `${path}: Object 'Kind' is missing in '${JSON.stringify(value).slice(0, 80)}'`;
  if (typeof name !== 'string' || name === '')
    return `${path}: ${object.kind} has no metadata.name`;
  const type = findKind(object.apiVersion, object.kind);
  const metadata = { ...object.metadata, name };
  if (type?.namespaced !== false && metadata.namespace === undefined && app.namespace)
    metadata.namespace = app.namespace;
  metadata.labels = { ...(metadata.labels ?? {}), [TRACKING_LABEL]: app.name };
  return { ...object, apiVersion: object.apiVersion, kind: object.kind, metadata };
}

/** `apps/Deployment/shop/cart`: one resource whatever its version. */
export function resourceKey(object: {
  apiVersion?: string;
  group?: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}): string {
  const group = object.group ?? groupOf(object.apiVersion ?? '');
  return `${group}/${object.kind}/${object.namespace ?? ''}/${object.name}`;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}
