import type { ResourceType } from './catalog.ts';
import { ApiError, type KObject } from './store.ts';

/**
 * The fields each kind may be selected by (`--field-selector`), as the API server's field label
 * conversions allow them, and how each reads from an object. Kinds with their own conversion
 * refuse other labels with `field label not supported: …`; the rest with the default message.
 */
type Reader = (object: KObject) => string;

const ALWAYS = ['metadata.name', 'metadata.namespace'];

/** A path read as a string; missing reads as the empty string (`spec.nodeName=` finds unbound pods). */
function path(dotted: string, missing = ''): Reader {
  return (object) => {
    let at: unknown = object;
    for (const part of dotted.split('.')) {
      if (typeof at !== 'object' || at === null) return missing;
      at = (at as Record<string, unknown>)[part];
    }
    return at === undefined || at === null ? missing : String(at);
  };
}

type KindLabels = { readers: Record<string, Reader>; message: (label: string) => string };

const coreMessage = (label: string) => `field label not supported: ${label}`;

function labels(readers: Record<string, Reader>, message = coreMessage): KindLabels {
  return { readers, message };
}

const INVOLVED = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

const BY_KIND: Record<string, KindLabels> = {
  '/Pod': labels({
    'spec.nodeName': path('spec.nodeName'),
    'spec.restartPolicy': path('spec.restartPolicy'),
    'spec.schedulerName': path('spec.schedulerName'),
    'spec.serviceAccountName': path('spec.serviceAccountName'),
    'spec.hostNetwork': path('spec.hostNetwork', 'false'),
    'status.phase': path('status.phase'),
    'status.podIP': path('status.podIP'),
    'status.nominatedNodeName': path('status.nominatedNodeName'),
  }),
  '/Event': labels({
    ...Object.fromEntries(
      INVOLVED.map((f) => [`involvedObject.${f}`, path(`involvedObject.${f}`)]),
    ),
    reason: path('reason'),
    reportingComponent: path('reportingComponent'),
    source: path('source.component'),
    type: path('type'),
  }),
  '/Node': labels({ 'spec.unschedulable': path('spec.unschedulable', 'false') }),
  '/Namespace': labels({ 'status.phase': path('status.phase') }),
  '/Secret': labels({ type: path('type') }),
  'apps/ReplicaSet': labels({ 'status.replicas': path('status.replicas', '0') }),
  'batch/Job': labels({ 'status.successful': path('status.successful', '0') }),
};

const defaultMessage = (label: string) =>
  `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`;

/** How to read `label` from objects of `type`; a label the kind does not support is a 400. */
export function fieldReader(type: ResourceType, label: string): Reader {
  if (ALWAYS.includes(label)) return path(label);
  const kind = BY_KIND[`${type.group}/${type.kind}`];
  const reader = kind?.readers[label];
  if (reader !== undefined) return reader;
  throw new ApiError(400, 'BadRequest', (kind?.message ?? defaultMessage)(label));
}
