import { fieldValidationOf, sendWarnings } from '../decode-body.ts';
import type { Call } from '../request.ts';
import { DecodeError, decode, jsonKindOf } from '../schema/decode.ts';
import {
  bool,
  int64,
  mapOf,
  type ObjectType,
  string,
  strings,
  struct,
} from '../schema/field-type.ts';
import { topLevel } from '../schema/meta.ts';
import { ApiError } from '../store.ts';

/**
 * The request kinds of the authentication and authorization APIs (TokenRequest and the access
 * reviews), described so their bodies are decoded as the API server's typed decoder does: a
 * wrong JSON type is a 400 naming the Go field, an unknown field is warned about or refused as
 * `fieldValidation` asks. Their handlers then read only well-typed values.
 */
const tokenRequest = topLevel('v1.TokenRequest', {
  spec: struct('v1.TokenRequestSpec', {
    audiences: strings,
    expirationSeconds: int64,
    boundObjectRef: struct('v1.BoundObjectReference', {
      kind: string,
      apiVersion: string,
      name: string,
      uid: string,
    }),
  }),
  status: struct('v1.TokenRequestStatus', { token: string, expirationTimestamp: string }),
});

const resourceAttributes = struct('v1.ResourceAttributes', {
  namespace: string,
  verb: string,
  group: string,
  version: string,
  resource: string,
  subresource: string,
  name: string,
  fieldSelector: struct('v1.FieldSelectorAttributes'),
  labelSelector: struct('v1.LabelSelectorAttributes'),
});
const nonResourceAttributes = struct('v1.NonResourceAttributes', { path: string, verb: string });
const reviewStatus = struct('v1.SubjectAccessReviewStatus', {
  allowed: bool,
  denied: bool,
  reason: string,
  evaluationError: string,
});
const subjectReview = (go: string) =>
  topLevel(go, {
    spec: struct('v1.SubjectAccessReviewSpec', {
      resourceAttributes,
      nonResourceAttributes,
      user: string,
      groups: strings,
      extra: mapOf(strings),
      uid: string,
    }),
    status: reviewStatus,
  });

export const REVIEW_KINDS: Readonly<Record<string, ObjectType>> = {
  TokenRequest: tokenRequest,
  SubjectAccessReview: subjectReview('v1.SubjectAccessReview'),
  LocalSubjectAccessReview: subjectReview('v1.LocalSubjectAccessReview'),
  SelfSubjectAccessReview: topLevel('v1.SelfSubjectAccessReview', {
    spec: struct('v1.SelfSubjectAccessReviewSpec', { resourceAttributes, nonResourceAttributes }),
    status: reviewStatus,
  }),
};

/** The body decoded as `kind`, nulls dropped, or the decoder's 400; warnings are sent. */
export function decodeReview(
  kind: keyof typeof REVIEW_KINDS,
  body: unknown,
  call: Pick<Call, 'query' | 'res'>,
): Record<string, unknown> {
  const schema = REVIEW_KINDS[kind] as ObjectType;
  const prefix = `${kind} in version "v1" cannot be handled as a ${kind}: `;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(
      400,
      'BadRequest',
      `${prefix}json: cannot unmarshal ${jsonKindOf(body)} into Go value of type v1.${kind}`,
    );
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(schema, body as Record<string, unknown>);
  } catch (error) {
    if (error instanceof DecodeError) throw new ApiError(400, 'BadRequest', prefix + error.message);
    throw error;
  }
  const validation = fieldValidationOf(call.query, 'CreateOptions');
  const unknown = decoded.unknown.map((path) => `unknown field "${path}"`);
  if (unknown.length > 0 && validation === 'Strict')
    throw new ApiError(400, 'BadRequest', `${prefix}strict decoding error: ${unknown.join(', ')}`);
  if (validation === 'Warn') sendWarnings(call.res, unknown);
  return decoded.value;
}
