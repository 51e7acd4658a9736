import { apiVersionOf, RESOURCES, type ResourceType } from './catalog.ts';
import { schemasFor } from './openapi-schemas.ts';

/**
 * Just enough OpenAPI v3 for `kubectl apply`, `create` and `explain`: the index of group
 * versions, and per group version the write operations with their `fieldValidation` parameter,
 * from which kubectl learns that the server validates fields itself, and the kinds' schemas.
 * The PATCH operations declare no strategic merge patch body, so client-side apply keeps to
 * kubectl's built-in patch metadata instead of these partial schemas.
 */
export function openApiIndex() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const r of RESOURCES) {
    const key = pathOf(r);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=sandbox` };
  }
  return { paths };
}

export function openApiFor(path: string) {
  const types = RESOURCES.filter((r) => pathOf(r) === path && r.readOnly !== true);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const parameter = {
    name: 'fieldValidation',
    in: 'query',
    schema: { type: 'string', uniqueItems: true },
  };
  for (const r of types) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const operation = (verb: string) => ({
      operationId: `${verb}${r.kind}`,
      parameters: [parameter],
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': gvk,
    });
    const base = `/${path}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
    paths[base] = { post: operation('post') };
    paths[`${base}/{name}`] = { put: operation('put'), patch: operation('patch') };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: schemasFor(types) },
  };
}

function pathOf(r: ResourceType): string {
  return r.group === '' ? 'api/v1' : `apis/${apiVersionOf(r)}`;
}
