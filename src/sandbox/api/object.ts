import { admit } from './admission.ts';
import { decodeObject, decodePatched, fieldValidationOf, sendWarnings } from './decode-body.ts';
import { applyDefaults } from './defaults.ts';
import { deleteObject, releaseIfDone } from './delete.ts';
import { applyPatch, isApplyPatch, type PatchType, patchTypeOf } from './patch.ts';
import { parseResourceVersion } from './query-options.ts';
import {
  type Call,
  checkName,
  deleteOptionsOf,
  mentionsResourceVersion,
  objectFromBody,
  readBody,
  writeOptionsOf,
} from './request.ts';
import { methodNotAllowed, sendJson } from './respond.ts';
import { schemaOf } from './schema/index.ts';
import { invalidPatchOptions, serverSideApply } from './serve-apply.ts';
import { keepStatusRules } from './status-rules.ts';
import { ApiError, type KObject } from './store.ts';
import { table, wantsTable } from './tables.ts';
import { validate } from './validate.ts';

/** Requests to one named object (or its `status`): get, replace, patch, delete. */

const MEDIA_TYPES = 'application/json-patch+json, application/merge-patch+json';

function get(call: Call, name: string): void {
  const { store, target, req, res } = call;
  parseResourceVersion(call.query.get('resourceVersion'));
  const object = store.mustGet(target.type, target.namespace, name);
  if (!wantsTable(req.headers.accept)) sendJson(res, 200, object);
  else
    sendJson(res, 200, table(target.type, [object], store.resourceVersion, store.now().getTime()));
}

async function replace(call: Call, name: string): Promise<void> {
  const { store, target, req, res, query } = call;
  const warnings: string[] = [];
  const body = decodeObject(
    target.type,
    objectFromBody(await readBody(req, false, target.type.kind), target),
    fieldValidationOf(query, 'UpdateOptions'),
    warnings,
  );
  checkName(body, name, target.namespace);
  const current = store.mustGet(target.type, target.namespace, name);
  const next = keepStatusRules(target, body, current);
  validate(target.type, applyDefaults(next), current);
  if (target.sub !== 'status') admit(store, target.type, next, current);
  const written = store.replace(target.type, next, writeOptionsOf(call));
  if (!call.dryRun) releaseIfDone(store, target.type, written);
  sendWarnings(res, warnings);
  sendJson(res, 200, written);
}

function patchTypeFor(call: Call): PatchType {
  const type = patchTypeOf(call.req.headers['content-type']);
  if (type === undefined) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${MEDIA_TYPES}, application/strategic-merge-patch+json`,
    );
  }
  if (type === 'strategic' && call.target.type.custom === true) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${MEDIA_TYPES}, application/apply-patch+yaml`,
    );
  }
  return type;
}

async function patch(call: Call, name: string): Promise<void> {
  const { store, target, req, res, query } = call;
  if (isApplyPatch(req.headers['content-type'])) return serverSideApply(call, name);
  if (query.has('force'))
    throw invalidPatchOptions('force', 'Forbidden: may not be specified for non-apply patch');
  const type = patchTypeFor(call);
  const change = await readBody(req);
  const current = store.mustGet(target.type, target.namespace, name);
  const schema = schemaOf(current.apiVersion, target.type.kind);
  const result = applyPatch(current, change, type, schema);
  if (typeof result !== 'object' || result === null || Array.isArray(result))
    throw new ApiError(422, 'Invalid', 'the patch produced an object that is not valid');
  checkName(result as KObject, name, target.namespace);
  const warnings: string[] = [];
  let patched = decodePatched(
    target.type,
    result as KObject,
    current,
    change,
    fieldValidationOf(query, 'PatchOptions'),
    warnings,
  );
  patched.metadata = { ...patched.metadata, name: current.metadata.name };
  if (current.metadata.namespace !== undefined)
    patched.metadata.namespace = current.metadata.namespace;
  // A resourceVersion only counts as a precondition when the patch itself set it.
  if (!mentionsResourceVersion(change)) {
    if (current.metadata.resourceVersion === undefined) delete patched.metadata.resourceVersion;
    else patched.metadata.resourceVersion = current.metadata.resourceVersion;
  }
  patched = keepStatusRules(target, patched, current);
  validate(target.type, applyDefaults(patched), current);
  if (target.sub !== 'status') admit(store, target.type, patched, current);
  const written = store.replace(target.type, patched, {
    ...writeOptionsOf(call),
    operation: 'Update',
  });
  if (!call.dryRun) releaseIfDone(store, target.type, written);
  sendWarnings(res, warnings);
  sendJson(res, 200, written);
}

async function remove(call: Call, name: string): Promise<void> {
  const { store, target, query, req, res } = call;
  const options = deleteOptionsOf(await readBody(req, true, 'DeleteOptions'), query);
  const current = store.mustGet(target.type, target.namespace, name);
  const dryRun = call.dryRun || (options.dryRun ?? []).includes('All');
  sendJson(res, 200, deleteObject(store, target.type, current, options, dryRun));
}

export async function serveObject(call: Call, method: string, name: string): Promise<void> {
  switch (method) {
    case 'GET':
      return get(call, name);
    case 'PUT':
      return replace(call, name);
    case 'PATCH':
      return patch(call, name);
    case 'DELETE':
      return remove(call, name);
    default:
      throw methodNotAllowed();
  }
}
