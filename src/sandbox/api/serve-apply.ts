import { admit } from './admission.ts';
import { decodeObject, fieldValidationOf, sendWarnings } from './decode-body.ts';
import { applyDefaults } from './defaults.ts';
import { admitCreate } from './namespace-lifecycle.ts';
import { statusOfNewPod } from './pod-qos.ts';
import { type Call, checkName, objectFromBody, readBody, writeOptionsOf } from './request.ts';
import { sendJson } from './respond.ts';
import { applyConfiguration } from './server-side-apply.ts';
import { ApiError } from './store.ts';
import { validate } from './validate.ts';

/**
 * A PATCH of type `application/apply-patch+yaml`: creates the object when it does not exist
 * (201), otherwise merges the configuration in (200), recording the manager's fields.
 */
export function invalidPatchOptions(field: string, detail: string): ApiError {
  const [reason = 'FieldValueInvalid', ...rest] = detail.split(': ');
  return new ApiError(
    422,
    'Invalid',
    `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${detail}`,
    {
      group: 'meta.k8s.io',
      kind: 'PatchOptions',
      causes: [
        {
          reason: reason === 'Required value' ? 'FieldValueRequired' : 'FieldValueForbidden',
          message: `${reason}: ${rest.join(': ')}`,
          field,
        },
      ],
    },
  );
}

export async function serverSideApply(call: Call, name: string): Promise<void> {
  const { store, target, req, res, query } = call;
  const manager = call.fieldManager;
  if (manager === undefined || manager === '')
    throw invalidPatchOptions('fieldManager', 'Required value: is required for apply patch');
  const warnings: string[] = [];
  // The configuration is typed as a POST's body is: wrong types and unknown fields as asked.
  const config = decodeObject(
    target.type,
    objectFromBody(await readBody(req), target),
    fieldValidationOf(query, 'PatchOptions'),
    warnings,
  );
  checkName(config, name, target.namespace);
  const live = store.get(target.type, target.namespace, name);
  const force = query.get('force') === 'true';
  const merged = applyConfiguration(live, config, manager, force, store.now());
  const options = { ...writeOptionsOf(call), operation: 'Apply' };
  if (live === undefined) {
    // The same way in as a POST: the namespace's lifecycle, a new pod's status, admission.
    const object = applyDefaults(merged);
    admitCreate(store, target.type, object);
    if (target.type.kind === 'Pod') object.status = statusOfNewPod(object);
    validate(target.type, object);
    admit(store, target.type, object);
    const created = store.create(target.type, object, options);
    sendWarnings(res, warnings);
    return sendJson(res, 201, created);
  }
  if (target.sub !== 'status') merged.status = live.status;
  validate(target.type, applyDefaults(merged), live);
  if (target.sub !== 'status') admit(store, target.type, merged, live);
  const written = store.replace(target.type, merged, options);
  sendWarnings(res, warnings);
  sendJson(res, 200, written);
}
