import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cluster } from './cluster.ts';
import { applyPatch, patchTypeOf } from './patch.ts';
import { mentionsResourceVersion, readBody, type Target } from './request.ts';
import { methodNotAllowed, sendJson } from './respond.ts';
import { labelMatcher } from './selectors.ts';
import { ApiError, type KObject } from './store.ts';
import { validate } from './validate.ts';

/** The subresources with their own shapes: a workload's `scale`, and metrics.k8s.io. */

export async function serveScale(
  simulator: Cluster,
  req: IncomingMessage,
  res: ServerResponse,
  target: Target,
  dryRun: boolean,
  fieldManager: string | undefined,
): Promise<void> {
  const current = simulator.store.mustGet(target.type, target.namespace, target.name ?? '');
  const scaleOf = (object: KObject) => ({
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: (object.spec as { replicas?: number }).replicas ?? 1 },
    status: {
      replicas: (object.status as { replicas?: number } | undefined)?.replicas ?? 0,
      selector: Object.entries(
        (object.spec as { selector?: { matchLabels?: Record<string, string> } }).selector
          ?.matchLabels ?? {},
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  });
  if (req.method === 'GET') return sendJson(res, 200, scaleOf(current));
  let scale: { metadata?: { resourceVersion?: string }; spec?: { replicas?: number } };
  const body = await readBody(req);
  if (req.method === 'PATCH') {
    const type = patchTypeOf(req.headers['content-type']);
    if (type === undefined)
      throw new ApiError(415, 'UnsupportedMediaType', 'unsupported patch type');
    scale = applyPatch(scaleOf(current), body, type) as typeof scale;
    if (!mentionsResourceVersion(body))
      scale.metadata = {
        ...scale.metadata,
        resourceVersion: current.metadata.resourceVersion ?? '',
      };
  } else if (req.method === 'PUT') {
    scale = body as typeof scale;
  } else {
    throw methodNotAllowed();
  }
  const replicas = scale.spec?.replicas;
  const next = {
    ...current,
    spec: { ...(current.spec as object), replicas },
    metadata: { ...current.metadata },
  };
  if (scale.metadata?.resourceVersion !== undefined)
    next.metadata.resourceVersion = scale.metadata.resourceVersion;
  validate(target.type, next, current);
  const written = simulator.store.replace(target.type, next, {
    dryRun,
    ...(fieldManager === undefined ? {} : { fieldManager }),
  });
  sendJson(res, 200, scaleOf(written));
}

export function serveMetrics(
  simulator: Cluster,
  served: boolean,
  res: ServerResponse,
  target: Target,
  req: IncomingMessage,
  url: URL,
): void {
  if (!served) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  }
  if (req.method !== 'GET') throw methodNotAllowed();
  const all =
    target.type.kind === 'NodeMetrics'
      ? simulator.nodeMetrics()
      : simulator.podMetrics(target.namespace);
  const labels = labelMatcher(url.searchParams.get('labelSelector') ?? undefined);
  const items = all.filter(
    (o) => labels(o) && (target.name === undefined || o.metadata.name === target.name),
  );
  if (target.name !== undefined) {
    const found = items[0];
    if (found === undefined)
      throw new ApiError(
        404,
        'NotFound',
        `${target.type.plural}.metrics.k8s.io "${target.name}" not found`,
      );
    sendJson(res, 200, found);
    return;
  }
  sendJson(res, 200, {
    kind: `${target.type.kind}List`,
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {},
    items,
  });
}
