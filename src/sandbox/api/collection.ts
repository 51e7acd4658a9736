import { admit } from './admission.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { decodeObject, fieldValidationOf, sendWarnings } from './decode-body.ts';
import { applyDefaults } from './defaults.ts';
import { deleteObject } from './delete.ts';
import { admitCreate } from './namespace-lifecycle.ts';
import { statusOfNewPod } from './pod-qos.ts';
import { checkListIntegers, parseListResourceVersion } from './query-options.ts';
import {
  type Call,
  deleteOptionsOf,
  isWatch,
  listOf,
  objectFromBody,
  readBody,
  writeOptionsOf,
} from './request.ts';
import { methodNotAllowed, sendJson } from './respond.ts';
import { fieldMatcher, labelMatcher } from './selectors.ts';
import { copy, type KObject } from './store.ts';
import { table, wantsTable } from './tables.ts';
import { validate } from './validate.ts';
import { serveWatch } from './watch.ts';

/** Requests to a collection (no name on the URL): watch, list, create, and delete by selector. */

/** The stored objects the selectors pick, shared and frozen: a list only serialises them. */
function select(call: Call): readonly Readonly<KObject>[] {
  const { store, target, query } = call;
  const labels = labelMatcher(query.get('labelSelector') ?? undefined);
  const fields = fieldMatcher(query.get('fieldSelector') ?? undefined, target.type);
  return store.view(target.type, target.namespace).filter((o) => labels(o) && fields(o));
}

/**
 * A list, paged by `limit` and a `continue` token naming the key the next page starts at (the
 * store orders objects by namespace, then name, as etcd orders their keys).
 */
function list(call: Call): void {
  const { store, target, query, req, res } = call;
  const pageSize = checkListIntegers(query);
  let items = select(call);
  const token = query.get('continue');
  const from =
    token === null || token === ''
      ? undefined
      : decodeContinue(token, query.get('resourceVersion'));
  if (from === undefined) parseListResourceVersion(query.get('resourceVersion'), pageSize);
  const rv = store.resourceVersion;
  const limit = Number(query.get('limit') ?? 0);
  if (from !== undefined) items = items.slice(startOf(items, from.start));
  let next: string | undefined;
  if (limit > 0 && limit < items.length) {
    next = encodeContinue(Number(rv), keyOf(items[limit] as KObject));
    items = items.slice(0, limit);
  }
  if (wantsTable(req.headers.accept)) {
    const out = table(target.type, items, rv, store.now().getTime());
    if (next !== undefined) (out.metadata as Record<string, string>).continue = next;
    sendJson(res, 200, out);
    return;
  }
  const body = listOf(target.type, items, rv);
  if (next !== undefined) body.metadata.continue = next;
  sendJson(res, 200, body);
}

function keyOf(object: Readonly<KObject>): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** Where a page starting at `key` begins: the first object at or after it. */
function startOf(items: readonly Readonly<KObject>[], key: string): number {
  const slash = key.indexOf('/');
  const [namespace, name] = slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)];
  const index = items.findIndex((o) => {
    const ns = o.metadata.namespace ?? '';
    return ns > namespace || (ns === namespace && o.metadata.name >= name);
  });
  return index < 0 ? items.length : index;
}

async function create(call: Call): Promise<void> {
  const { store, target, req, res, query } = call;
  const warnings: string[] = [];
  const body = objectFromBody(await readBody(req, false, target.type.kind), target);
  const object = applyDefaults(
    decodeObject(target.type, body, fieldValidationOf(query, 'CreateOptions'), warnings),
  );
  admitCreate(store, target.type, object);
  if (target.type.kind === 'Pod') object.status = statusOfNewPod(object);
  validate(target.type, object);
  admit(store, target.type, object);
  const created = store.create(target.type, object, {
    ...writeOptionsOf(call),
    operation: 'Update',
  });
  sendWarnings(res, warnings);
  sendJson(res, 201, created);
}

async function deleteCollection(call: Call): Promise<void> {
  const { store, target, dryRun, res } = call;
  const options = deleteOptionsOf(await readBody(call.req, true, 'DeleteOptions'), call.query);
  const selected = select(call).map((object) => copy(object));
  for (const object of selected) deleteObject(store, target.type, object, options, dryRun);
  sendJson(res, 200, listOf(target.type, selected, store.resourceVersion));
}

export async function serveCollection(call: Call, method: string): Promise<void> {
  // Across all namespaces a namespaced resource is only listed and watched: the API server
  // registers no other verb on that path.
  if (call.target.type.namespaced && call.target.namespace === undefined && method !== 'GET')
    throw methodNotAllowed();
  if (method === 'GET' && isWatch(call.query))
    return serveWatch(call.store, call.req, call.res, call.target, call.query);
  if (method === 'GET') return list(call);
  if (method === 'POST') return create(call);
  if (method === 'DELETE') return deleteCollection(call);
  throw methodNotAllowed();
}
