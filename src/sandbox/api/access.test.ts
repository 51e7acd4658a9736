import { describe, expect, it } from 'vitest';
import { jsonExchange } from '../../../test/support/http-exchange.ts';
import { attributesOf, serveAccessReview } from './access.ts';
import { findResource, type ResourceType } from './catalog.ts';
import { policyOf } from './rbac/store-policy.ts';
import { ObjectStore } from './store.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceType;
const AUTHZ = 'authorization.k8s.io';
const review = (plural: string) => findResource(AUTHZ, 'v1', plural) as ResourceType;
const bob = { user: { name: 'bob', groups: ['system:authenticated'] }, kubeconfigUser: false };

/** Posts `body` as the review and gives back the status and the JSON answer. */
async function post(plural: string, body: unknown, namespace?: string) {
  const { req, res, sent } = jsonExchange(body);
  const access = { deny: [], policy: policyOf(new ObjectStore()) };
  const target = { type: review(plural), namespace, name: undefined, sub: undefined };
  await serveAccessReview(access, bob, 'POST', target, req, res);
  return sent;
}

const sar = (spec: Record<string, unknown>) => ({
  apiVersion: `${AUTHZ}/v1`,
  kind: 'SubjectAccessReview',
  spec,
});
const pods = { verb: 'get', resource: 'pods', namespace: 'shop' };

describe('access reviews', () => {
  it('refuses groups given as a string with the typed decoder 400, before deciding', async () => {
    const asked = post(
      'subjectaccessreviews',
      sar({ groups: 'xxsystem:mastersxx', resourceAttributes: pods }),
    );

    await expect(asked).rejects.toMatchObject({
      status: 400,
      message:
        'SubjectAccessReview in version "v1" cannot be handled as a SubjectAccessReview: json: cannot unmarshal string into Go struct field SubjectAccessReviewSpec.spec.groups of type []string',
    });
  });

  it('treats a group name as a whole name, never a part of one', async () => {
    const sent = await post(
      'subjectaccessreviews',
      sar({ groups: ['xxsystem:mastersxx'], resourceAttributes: pods }),
    );

    expect(sent).toMatchObject({ status: 201, body: { status: { allowed: false } } });
  });

  it('needs exactly one of resource and non-resource attributes (422)', async () => {
    const neither = post('subjectaccessreviews', sar({ user: 'bob', resourceAttributes: null }));
    const both = post(
      'subjectaccessreviews',
      sar({
        user: 'bob',
        resourceAttributes: pods,
        nonResourceAttributes: { path: '/api', verb: 'get' },
      }),
    );

    await expect(neither).rejects.toMatchObject({
      status: 422,
      message:
        '.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    });
    await expect(both).rejects.toMatchObject({
      status: 422,
      message:
        '.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/api", Verb:"get"}: cannot be specified in combination with resourceAttributes',
    });
  });

  it("holds a LocalSubjectAccessReview to its own namespace's resources", async () => {
    const local = {
      apiVersion: `${AUTHZ}/v1`,
      kind: 'LocalSubjectAccessReview',
      spec: { user: 'bob', resourceAttributes: { ...pods, namespace: 'other' } },
    };

    await expect(post('localsubjectaccessreviews', local, 'shop')).rejects.toMatchObject({
      status: 422,
      message:
        '.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace',
    });
  });
});

describe('attributesOf', () => {
  const list = (query: string) =>
    attributesOf(
      'GET',
      { type: PODS, namespace: 'shop', name: undefined, sub: undefined },
      new URL(`http://x/p?${query}`),
    );

  it('takes the name a list or watch selects with metadata.name= or ==', () => {
    expect(list('watch=true&fieldSelector=metadata.name%3Dweb')).toMatchObject({
      verb: 'watch',
      name: 'web',
    });
    expect(list('fieldSelector=status.phase%3DRunning,metadata.name%3D%3Dweb').name).toBe('web');
  });

  it('takes no name from !=, from a selector that does not parse, or from a bad segment', () => {
    expect(list('fieldSelector=metadata.name!%3Dweb').name).toBeUndefined();
    expect(list('fieldSelector=metadata.name%3Dweb,nonsense').name).toBeUndefined();
    expect(list('fieldSelector=metadata.name%3D..').name).toBeUndefined();
  });
});
