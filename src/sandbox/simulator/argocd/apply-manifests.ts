import { admit } from '../../api/admission.ts';
import { findKind } from '../../api/catalog.ts';
import { applyDefaults } from '../../api/defaults.ts';
import { admitCreate } from '../../api/namespace-lifecycle.ts';
import { applyConfiguration } from '../../api/server-side-apply.ts';
import { ApiError, type KObject, type ObjectStore } from '../../api/store.ts';
import { validate } from '../../api/validate.ts';
import { groupOf, versionOf } from './desired-state.ts';

/**
 * A sync's apply phase: every desired object server-side applied (forced, so a field someone
 * changed by hand goes back to Git's value) by the controller's field manager, through the same
 * defaulting, validation and admission a client's write gets; then, when asked, the tracked
 * objects Git no longer declares are deleted. Each resource's result is what `syncResult` shows.
 */
export const MANAGER = 'argocd-controller';

export type ResourceResult = {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status: 'Synced' | 'SyncFailed' | 'Pruned' | 'PruneSkipped';
  message: string;
  hookPhase: 'Succeeded' | 'Failed';
  syncPhase: 'Sync';
};

/**
 * Applies `desired` and prunes (or, without `prune`, only reports) `extra`. As Argo CD does, every
 * object is first checked as a dry run; when one is refused, nothing is applied and the results
 * name what was refused.
 */
export function applyManifests(
  store: ObjectStore,
  desired: readonly KObject[],
  extra: readonly KObject[],
  prune: boolean,
): { ok: boolean; results: ResourceResult[] } {
  const prepared = desired.map((object) => prepare(store, object));
  const refused = prepared.filter((p): p is ResourceResult => 'status' in p);
  if (refused.length > 0) return { ok: false, results: refused };
  const results = (prepared as Prepared[]).map((p) => write(store, p));
  for (const object of extra) results.push(pruneOne(store, object, prune));
  return { ok: results.every((r) => r.status !== 'SyncFailed'), results };
}

type Prepared = {
  object: KObject;
  type: NonNullable<ReturnType<typeof findKind>>;
  live: KObject | undefined;
  merged: KObject;
};

/** The object as the apply would write it, checked; or the refusal. */
function prepare(store: ObjectStore, object: KObject): Prepared | ResourceResult {
  const base = resultBase(object);
  const type = findKind(object.apiVersion, object.kind);
  if (type === undefined)
    return failed(
      base,
      `the server could not find the requested resource (${object.apiVersion}, Kind=${object.kind})`,
    );
  try {
    const live = store.get(type, object.metadata.namespace, object.metadata.name);
    const merged = applyConfiguration(live, structuredClone(object), MANAGER, true, store.now());
    if (live === undefined) {
      const created = applyDefaults(merged);
      admitCreate(store, type, created);
      validate(type, created);
      return { object, type, live, merged: created };
    }
    merged.status = live.status;
    validate(type, applyDefaults(structuredClone(merged)), live);
    return { object, type, live, merged };
  } catch (error) {
    return failed(base, error instanceof ApiError ? error.message : String(error));
  }
}

function write(store: ObjectStore, prepared: Prepared): ResourceResult {
  const { object, type, live, merged } = prepared;
  const base = resultBase(object);
  const options = { fieldManager: MANAGER, operation: 'Apply' };
  try {
    admit(store, type, merged, live);
    if (live === undefined) {
      store.create(type, merged, options);
      return { ...base, status: 'Synced', message: `${kindName(object)} created` };
    }
    const before = live.metadata.resourceVersion;
    const written = store.replace(type, merged, options);
    const verb = written.metadata.resourceVersion === before ? 'unchanged' : 'configured';
    return { ...base, status: 'Synced', message: `${kindName(object)} ${verb}` };
  } catch (error) {
    return failed(base, error instanceof ApiError ? error.message : String(error));
  }
}

function pruneOne(store: ObjectStore, object: KObject, prune: boolean): ResourceResult {
  const base = resultBase(object);
  if (!prune) return { ...base, status: 'PruneSkipped', message: 'ignored (requires pruning)' };
  const type = findKind(object.apiVersion, object.kind);
  try {
    if (type !== undefined) store.remove(type, object.metadata.namespace, object.metadata.name);
    return { ...base, status: 'Pruned', message: 'pruned' };
  } catch (error) {
    return failed(base, error instanceof ApiError ? error.message : String(error));
  }
}

function resultBase(object: KObject) {
  return {
    group: groupOf(object.apiVersion),
    version: versionOf(object.apiVersion),
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    hookPhase: 'Succeeded' as const,
    syncPhase: 'Sync' as const,
  };
}

function failed(base: ReturnType<typeof resultBase>, message: string): ResourceResult {
  return { ...base, status: 'SyncFailed', message, hookPhase: 'Failed' };
}

function kindName(object: KObject): string {
  const group = groupOf(object.apiVersion);
  return `${object.kind.toLowerCase()}${group === '' ? '' : `.${group}`}/${object.metadata.name}`;
}
