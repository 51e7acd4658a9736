import { findResource, type ResourceType } from './catalog.ts';
import { applyDefaults } from './defaults.ts';
import { deleteObject } from './delete.ts';
import { applyPatch, patchTypeOf } from './patch.ts';
import {
  type Call,
  type DeleteOptions,
  isWatch,
  listOf,
  objectFromBody,
  readBody,
  writeOptionsOf,
} from './request.ts';
import { methodNotAllowed, sendJson } from './respond.ts';
import { ApiError, type KObject } from './store.ts';
import { validate } from './validate.ts';

/**
 * autoscaling/v1 HorizontalPodAutoscalers, which `kubectl autoscale` writes: one stored object
 * served in two versions, as the real API server converts. The store keeps autoscaling/v2; the
 * v1 view has only a CPU utilisation target, the rest of v2 has no v1 field.
 */
const V2 = findResource('autoscaling', 'v2', 'horizontalpodautoscalers') as ResourceType;

type V1Spec = {
  scaleTargetRef?: unknown;
  minReplicas?: number;
  maxReplicas?: number;
  targetCPUUtilizationPercentage?: number;
};
type Metric = {
  type?: string;
  resource?: {
    name?: string;
    target?: { type?: string; averageUtilization?: number };
    current?: { averageUtilization?: number };
  };
};
type V2Spec = {
  scaleTargetRef?: unknown;
  minReplicas?: number;
  maxReplicas?: number;
  metrics?: Metric[];
};
type V2Status = {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas?: number;
  desiredReplicas?: number;
  currentMetrics?: Metric[];
};

export function toV2(object: KObject): KObject {
  const { targetCPUUtilizationPercentage: cpu, ...spec } = (object.spec ?? {}) as V1Spec;
  const metrics: Metric[] | undefined =
    cpu === undefined
      ? undefined
      : [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } },
          },
        ];
  const { status: _, ...rest } = object;
  return {
    ...rest,
    apiVersion: 'autoscaling/v2',
    spec: { ...spec, ...(metrics ? { metrics } : {}) },
  };
}

export function toV1(object: KObject): KObject {
  const { metrics, ...spec } = (object.spec ?? {}) as V2Spec;
  const cpu = cpuOf(metrics, 'target');
  const { currentMetrics, ...status } = (object.status ?? {}) as V2Status;
  const current = cpuOf(currentMetrics, 'current');
  return {
    ...object,
    apiVersion: 'autoscaling/v1',
    spec: { ...spec, ...(cpu === undefined ? {} : { targetCPUUtilizationPercentage: cpu }) },
    status: {
      ...status,
      ...(current === undefined ? {} : { currentCPUUtilizationPercentage: current }),
    },
  };
}

function cpuOf(metrics: Metric[] | undefined, part: 'target' | 'current'): number | undefined {
  const cpu = metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  return cpu?.resource?.[part]?.averageUtilization;
}

export async function serveHpaV1(call: Call, method: string): Promise<void> {
  const { store, target, res } = call;
  const name = target.name;
  // Watches of HPAs go through the preferred version, v2; v1 serves only what kubectl writes.
  if (isWatch(call.query)) throw methodNotAllowed();
  if (method === 'GET' && name === undefined) {
    const items = store.list(V2, target.namespace).map(toV1);
    return sendJson(res, 200, listOf(target.type, items, store.resourceVersion));
  }
  if (method === 'GET' && name !== undefined)
    return sendJson(res, 200, toV1(store.mustGet(V2, target.namespace, name)));
  if (method === 'POST' && name === undefined) {
    const object = applyDefaults(
      toV2(objectFromBody(await readBody(call.req, false, 'HorizontalPodAutoscaler'), target)),
    );
    validate(V2, object);
    const created = store.create(V2, object, { ...writeOptionsOf(call), operation: 'Update' });
    return sendJson(res, 201, toV1(created));
  }
  if (name === undefined) throw methodNotAllowed();
  if (method === 'PUT' || method === 'PATCH') return replace(call, method, name);
  if (method === 'DELETE') {
    const options = (await readBody(call.req, true, 'DeleteOptions')) as DeleteOptions;
    const current = store.mustGet(V2, target.namespace, name);
    return sendJson(res, 200, deleteObject(store, V2, current, options, call.dryRun));
  }
  throw methodNotAllowed();
}

async function replace(call: Call, method: string, name: string): Promise<void> {
  const { store, target, req, res } = call;
  const current = store.mustGet(V2, target.namespace, name);
  const body = await readBody(req);
  let next: KObject;
  if (method === 'PUT') next = objectFromBody(body, target);
  else {
    const type = patchTypeOf(req.headers['content-type']);
    if (type === undefined)
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format',
      );
    next = applyPatch(toV1(current), body, type) as KObject;
  }
  const v2 = toV2(next);
  v2.metadata = {
    ...v2.metadata,
    name,
    ...(target.namespace ? { namespace: target.namespace } : {}),
  };
  v2.status = current.status;
  validate(V2, applyDefaults(v2), current);
  sendJson(res, 200, toV1(store.replace(V2, v2, { ...writeOptionsOf(call), operation: 'Update' })));
}
