import { CoxswainError } from '../../errors.ts';
import type { GitRepository } from '../git/repository.ts';
import { describeChanges, leafChanges } from '../kubernetes/actions/field-changes.ts';
import type { Cluster } from '../kubernetes/cluster.ts';
import { KubernetesError, wrapKubernetesError } from '../kubernetes/errors.ts';
import { type Application, resourceLabel, short } from './application.ts';
import { type DesiredObject, desiredObjects } from './desired-manifests.ts';
import { discovery, objectPath, type ResourceType } from './resource-path.ts';

/**
 * Live against desired, per resource, as `argocd app diff` shows it: for each object Git declares,
 * the fields whose live value differs from Git's (only the fields Git sets: defaults and status
 * are the cluster's), each as `path: live → Git`, redacted as every change is; objects missing
 * live; tracked objects Git no longer declares. Secrets are named, never read.
 */
const MAX_RESOURCES = 50;
/** `v1`, `apps/v1`, `argoproj.io/v1alpha1`: nothing else reaches a URL. */
const API_VERSION =
  /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;

export async function applicationDiff(
  cluster: Cluster,
  app: Application,
  gitops: GitRepository | undefined,
): Promise<string> {
  const source = app.spec.source;
  refuseRenderedSource(app);
  const revision = app.status.sync?.revision;
  if (source?.repoURL === undefined || revision === undefined)
    throw new CoxswainError(
      'kubernetes_api',
      `application ${app.metadata.name} has not been compared with Git yet (no revision in its status)`,
    );
  const desired = await desiredObjects(
    { app: app.metadata.name, repoURL: source.repoURL, path: source.path ?? '' },
    revision,
    app.spec.destination?.namespace,
    gitops,
  );
  const sections: string[] = [];
  // Only what the application deploys where it says: a manifest naming another namespace is not
  // a way to read that namespace (nor to learn what is there).
  const destination = app.spec.destination?.namespace;
  const within = desired.filter((o) => o.metadata.namespace === destination);
  const typeOf = discovery(cluster);
  for (const object of within.slice(0, MAX_RESOURCES))
    sections.push(
      API_VERSION.test(object.apiVersion)
        ? await resourceDiff(cluster, object, await typeOf(object.apiVersion, object.kind))
        : `${object.kind} ${object.metadata.name}: not compared (${object.apiVersion.slice(0, 100)} is not an API version)`,
    );
  if (within.length < desired.length)
    sections.push(
      `${desired.length - within.length} resources Git declares outside the destination namespace ${destination ?? '(none)'} were not compared`,
    );
  if (within.length > MAX_RESOURCES)
    sections.push(`… ${within.length - MAX_RESOURCES} more resources not compared`);
  for (const r of app.status.resources ?? [])
    if (r.requiresPruning)
      sections.push(`${resourceLabel(r)}: live but not in Git (requires pruning)`);
  const header = `Diff of application ${app.metadata.name}: live → Git at ${short(revision)} (${source.path ?? '.'})`;
  return [header, ...sections].join('\n');
}

const RENDERERS = { helm: 'Helm', kustomize: 'Kustomize', plugin: 'a config management plugin' };

/** Several sources, a chart, or rendering settings: what Git holds is not what Argo CD applies. */
function refuseRenderedSource(app: Application): void {
  const why = renderedSource(app);
  if (why !== undefined)
    throw new CoxswainError(
      'usage',
      `argocd_diff covers plain manifest directories only: application ${app.metadata.name}'s source ${why}, whose manifests Argo CD renders`,
    );
}

export function renderedSource(app: Application): string | undefined {
  const source = app.spec.source;
  if (source === undefined)
    return (app.spec.sources?.length ?? 0) > 0 ? 'has several sources (spec.sources)' : undefined;
  if (source.chart !== undefined) return `is the Helm chart ${source.chart}`;
  for (const [field, tool] of Object.entries(RENDERERS))
    if (source[field] !== undefined) return `is rendered by ${tool} (spec.source.${field})`;
  return undefined;
}

async function resourceDiff(
  cluster: Cluster,
  object: DesiredObject,
  type: ResourceType,
): Promise<string> {
  const label = resourceLabel({
    group: object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '',
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
  });
  // Kinds are matched as the API server matches them, whatever case Git spells them in.
  if (object.kind.toLowerCase() === 'secret')
    return `${label}: not compared (Secrets are never read)`;
  const path = pathOf(object, type);
  if (path instanceof CoxswainError) return `${label}: not compared (${path.message})`;
  if (type.name === 'secrets' || /\/secrets\//.test(path))
    return `${label}: not compared (Secrets are never read)`;
  if (!type.namespaced)
    return `${label}: not compared (cluster-scoped, outside the destination namespace)`;
  let live: unknown;
  try {
    live = await cluster.json('GET', path);
  } catch (error) {
    const wrapped =
      error instanceof CoxswainError
        ? error
        : wrapKubernetesError(error, {
            verb: 'get',
            resource: type.name,
            name: object.metadata.name,
            ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
          });
    if (wrapped instanceof KubernetesError && wrapped.status === 404)
      return `${label}: OutOfSync (missing: Git declares it, the cluster lacks it)`;
    return `${label}: not compared (${wrapped.message})`;
  }
  const changes = describeChanges(object.kind, leafChanges(project(live, object), object));
  if (changes.length === 0) return `${label}: Synced`;
  return [`${label}: OutOfSync`, ...changes.map((c) => `  ${c.path}: ${c.from} → ${c.to}`)].join(
    '\n',
  );
}

/**
 * The live object cut to the fields Git sets, so that only they are compared: list items keyed
 * by `name` stay matched by name, and live items Git does not name stay (they are drift too).
 */
export function project(live: unknown, desired: unknown): unknown {
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return live;
    const named = desired.every((d) => isRecord(d) && typeof d.name === 'string');
    if (!named)
      return live.length === desired.length ? live.map((l, i) => project(l, desired[i])) : live;
    return live.map((l) => {
      const match = isRecord(l) ? desired.find((d) => d.name === l.name) : undefined;
      return match === undefined ? l : project(l, match);
    });
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) return live;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(desired))
      if (key in live) out[key] = project(live[key], desired[key]);
    return out;
  }
  return live;
}

/** The object's API path, or why Git's kind, name or namespace cannot be one. */
function pathOf(object: DesiredObject, type: ResourceType): string | CoxswainError {
  try {
    return objectPath(object, type);
  } catch (error) {
    if (error instanceof CoxswainError) return error;
    throw error;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
