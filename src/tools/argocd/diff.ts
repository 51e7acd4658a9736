import { CoxswainError } from '../../errors.ts';
import { describeChanges, leafChanges } from '../kubernetes/actions/field-changes.ts';
import type { Cluster } from '../kubernetes/cluster.ts';
import { KubernetesError } from '../kubernetes/errors.ts';
import { type Application, resourceLabel, short } from './application.ts';
import { type DesiredObject, desiredObjects } from './desired-manifests.ts';

/**
 * Live against desired, per resource, as `argocd app diff` shows it: for each object Git declares,
 * the fields whose live value differs from Git's (only the fields Git sets: defaults and status
 * are the cluster's), each as `path: live → Git`, redacted as every change is; objects missing
 * live; tracked objects Git no longer declares. Secrets are named, never read.
 */
const MAX_RESOURCES = 50;

export async function applicationDiff(cluster: Cluster, app: Application): Promise<string> {
  const source = app.spec.source;
  const revision = app.status.sync?.revision;
  if (source?.repoURL === undefined || revision === undefined)
    throw new CoxswainError(
      'kubernetes_api',
      `application ${app.metadata.name} has not been compared with Git yet (no revision in its status)`,
    );
  const desired = await desiredObjects(
    { repoURL: source.repoURL, path: source.path ?? '' },
    revision,
    app.spec.destination?.namespace,
  );
  const sections: string[] = [];
  // Only what the application deploys where it says: a manifest naming another namespace is not
  // a way to read that namespace (nor to learn what is there).
  const destination = app.spec.destination?.namespace;
  const within = desired.filter((o) => o.metadata.namespace === destination);
  for (const object of within.slice(0, MAX_RESOURCES))
    sections.push(await resourceDiff(cluster, object));
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

async function resourceDiff(cluster: Cluster, object: DesiredObject): Promise<string> {
  const label = resourceLabel({
    group: object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '',
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
  });
  // Kinds are matched as the API server matches them, whatever case Git spells them in.
  if (object.kind.toLowerCase() === 'secret' || /\/secrets\//.test(pathOf(object)))
    return `${label}: not compared (Secrets are never read)`;
  let live: unknown;
  try {
    live = await cluster.json('GET', pathOf(object));
  } catch (error) {
    if (error instanceof KubernetesError && error.status === 404)
      return `${label}: OutOfSync (missing: Git declares it, the cluster lacks it)`;
    if (error instanceof CoxswainError) return `${label}: not compared (${error.message})`;
    throw error;
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

/** The object's API path; the resource name from the kind, as Kubernetes pluralises. */
function pathOf(object: DesiredObject): string {
  const kind = object.kind.toLowerCase();
  const plural = kind.endsWith('s')
    ? `${kind}es`
    : kind.endsWith('y')
      ? `${kind.slice(0, -1)}ies`
      : `${kind}s`;
  const root = object.apiVersion.includes('/')
    ? `/apis/${object.apiVersion}`
    : `/api/${object.apiVersion}`;
  const ns = object.metadata.namespace
    ? `/namespaces/${encodeURIComponent(object.metadata.namespace)}`
    : '';
  return `${root}${ns}/${plural}/${encodeURIComponent(object.metadata.name)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
