import { findResource, type ResourceType } from './catalog.ts';
import { ApiError, type KObject, type ObjectStore, resourceName } from './store.ts';

/**
 * The NamespaceLifecycle admission plugin: nothing new is created in a namespace that is being
 * terminated, with the message and cause a real API server gives.
 */
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceType;

export function admitCreate(store: ObjectStore, type: ResourceType, object: KObject): void {
  const namespace = object.metadata.namespace;
  if (!type.namespaced || namespace === undefined) return;
  const home = store.get(NAMESPACES, undefined, namespace);
  const phase = (home?.status as { phase?: string } | undefined)?.phase;
  if (home?.metadata.deletionTimestamp === undefined && phase !== 'Terminating') return;
  const name = object.metadata.name ?? '';
  const reason = `unable to create new content in namespace ${namespace} because it is being terminated`;
  const what = resourceName(type);
  throw new ApiError(
    403,
    'Forbidden',
    name === '' ? `${what} is forbidden: ${reason}` : `${what} "${name}" is forbidden: ${reason}`,
    {
      name,
      group: type.group,
      kind: type.plural,
      causes: [
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${namespace} is being terminated`,
          field: 'metadata.namespace',
        },
      ],
    },
  );
}
