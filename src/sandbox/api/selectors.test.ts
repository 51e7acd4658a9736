import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import { fieldMatcher, labelMatcher, selectorMatcher } from './selectors.ts';
import { ApiError, type KObject } from './store.ts';

function pod(
  name: string,
  labels: Record<string, string> | undefined,
  extra: { phase?: string; nodeName?: string; namespace?: string } = {},
): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: extra.namespace ?? 'shop',
      ...(labels === undefined ? {} : { labels }),
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx' }],
      ...(extra.nodeName === undefined ? {} : { nodeName: extra.nodeName }),
    },
    status: extra.phase === undefined ? {} : { phase: extra.phase },
  };
}

const PODS = [
  pod('web-1', { app: 'web', tier: 'front', env: 'prod' }, { phase: 'Running', nodeName: 'n1' }),
  pod('web-2', { app: 'web', tier: 'front', env: 'staging' }, { phase: 'Pending' }),
  pod('db-1', { app: 'db', tier: 'back', env: 'prod', legacy: 'true' }, { phase: 'Failed' }),
  pod('job-1', { app: 'job' }, { phase: 'Succeeded', nodeName: 'n2', namespace: 'batch' }),
  pod('bare', undefined, { phase: 'Running', nodeName: 'n1' }),
];

const names = (match: (object: KObject) => boolean) =>
  PODS.filter(match).map((p) => p.metadata.name);

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('labelMatcher', () => {
  it.each([
    ['app=web', ['web-1', 'web-2']],
    ['app==web', ['web-1', 'web-2']],
    ['app = web', ['web-1', 'web-2']],
    ['app!=web', ['db-1', 'job-1', 'bare']],
    ['env in (prod,staging)', ['web-1', 'web-2', 'db-1']],
    ['env in (prod, qa)', ['web-1', 'db-1']],
    ['env notin (prod)', ['web-2', 'job-1', 'bare']],
    ['legacy', ['db-1']],
    ['!legacy', ['web-1', 'web-2', 'job-1', 'bare']],
    ['tier', ['web-1', 'web-2', 'db-1']],
  ])('%s selects %j', (selector, expected) => {
    expect(names(labelMatcher(selector))).toEqual(expected);
  });

  it('requires every term, with commas inside a set belonging to the set', () => {
    const match = labelMatcher('tier=front,env in (prod,qa),!legacy');

    expect(names(match)).toEqual(['web-1']);
  });

  it('matches everything when there is no selector', () => {
    expect(names(labelMatcher(undefined))).toHaveLength(PODS.length);
    expect(names(labelMatcher(''))).toHaveLength(PODS.length);
    expect(names(labelMatcher('  '))).toHaveLength(PODS.length);
  });

  it('reads the names of Object.prototype members as ordinary keys and values', () => {
    const objects = [pod('odd', { constructor: 'toString' }), pod('plain', { app: 'web' })];

    for (const selector of ['constructor', 'constructor=toString', 'valueOf notin (x)']) {
      const match = labelMatcher(selector);
      expect(objects.filter(match).map((o) => o.metadata.name)).toEqual(
        selector.startsWith('valueOf') ? ['odd', 'plain'] : ['odd'],
      );
    }
  });

  it('matches an empty value with "key="', () => {
    const objects = [pod('empty', { role: '' }), pod('set', { role: 'x' }), pod('none', {})];

    const match = labelMatcher('role=');

    expect(objects.filter(match).map((o) => o.metadata.name)).toEqual(['empty']);
  });

  it.each([
    ['env in (prod', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['=web', "found '=', expected: !, identifier, or 'end of string'"],
    ['app web', "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"],
    ['env in prod', "unable to parse requirement: found 'prod' expected: '('"],
    ['!=web', "found '!=', expected: !, identifier, or 'end of string'"],
    ['a==b==c', "found '==', expected: ',' or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a,', "found '', expected: identifier after ','"],
    ['a b=c', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    [
      'x/y/z=1',
      "unable to parse requirement: key: Invalid value: \"x/y/z\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    ],
    [
      'n>x',
      "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
  ])("refuses the malformed selector %j with the parser's 400", (selector, message) => {
    const error = thrown(() => labelMatcher(selector));

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).reason).toBe('BadRequest');
    expect((error as ApiError).message).toBe(message);
  });

  it('reads sets with empty members, keywords as values, and the gt and lt operators', () => {
    const objects = [pod('a', { n: '5', t: 'in' }), pod('b', { n: '12', t: '' }), pod('c', {})];
    const pick = (selector: string) =>
      objects.filter(labelMatcher(selector)).map((o) => o.metadata.name);

    expect(pick('t in (in,notin)')).toEqual(['a']);
    expect(pick('t in (,x)')).toEqual(['b']);
    expect(pick('n>6')).toEqual(['b']);
    expect(pick('n<6,!t')).toEqual([]);
    expect(pick('!n')).toEqual(['c']);
  });
});

const PODS_TYPE = findResource('', 'v1', 'pods') as ResourceType;

describe('fieldMatcher', () => {
  it.each([
    ['metadata.name=web-2', ['web-2']],
    ['metadata.name==db-1', ['db-1']],
    ['metadata.name!=web-1', ['web-2', 'db-1', 'job-1', 'bare']],
    ['metadata.namespace=batch', ['job-1']],
    ['status.phase!=Running', ['web-2', 'db-1', 'job-1']],
    ['status.phase=Running', ['web-1', 'bare']],
    ['spec.nodeName=n1', ['web-1', 'bare']],
    ['spec.nodeName=', ['web-2', 'db-1']],
    ['spec.nodeName!=', ['web-1', 'job-1', 'bare']],
  ])('%s selects %j', (selector, expected) => {
    expect(names(fieldMatcher(selector, PODS_TYPE))).toEqual(expected);
  });

  it('requires every term', () => {
    const match = fieldMatcher(
      'status.phase!=Failed,status.phase!=Succeeded,spec.nodeName=n1',
      PODS_TYPE,
    );

    expect(names(match)).toEqual(['web-1', 'bare']);
  });

  it('matches everything when there is no selector', () => {
    expect(names(fieldMatcher(undefined, PODS_TYPE))).toHaveLength(PODS.length);
    expect(names(fieldMatcher('', PODS_TYPE))).toHaveLength(PODS.length);
  });

  it.each([
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    [
      'status.phase in (Running)',
      "invalid selector: 'status.phase in (Running)'; can't understand 'status.phase in (Running)'",
    ],
    ['metadata.name=a=b', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
  ])("refuses the malformed selector %j with the parser's 400", (selector, message) => {
    const error = thrown(() => fieldMatcher(selector, PODS_TYPE));

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).reason).toBe('BadRequest');
    expect((error as ApiError).message).toBe(message);
  });

  it('reads an escaped comma or equals sign as part of the value', () => {
    const objects = [pod('a,b=c', {}), pod('a', {})];

    const match = fieldMatcher('metadata.name=a\\,b\\=c', PODS_TYPE);

    expect(objects.filter(match).map((o) => o.metadata.name)).toEqual(['a,b=c']);
  });
});

describe('fieldMatcher: the fields each kind supports', () => {
  const type = (group: string, version: string, plural: string) =>
    findResource(group, version, plural) as ResourceType;

  it.each([
    ['pods', type('', 'v1', 'pods'), 'spec.foo', 'field label not supported: spec.foo'],
    ['nodes', type('', 'v1', 'nodes'), 'status.phase', 'field label not supported: status.phase'],
    [
      'deployments',
      type('apps', 'v1', 'deployments'),
      'spec.replicas',
      '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    [
      'configmaps',
      type('', 'v1', 'configmaps'),
      'data.key',
      '"data.key" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
  ])('refuses on %s a field it does not support with 400', (_, resource, field, message) => {
    const error = thrown(() => fieldMatcher(`${field}=x`, resource));

    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).reason).toBe('BadRequest');
    expect((error as ApiError).message).toBe(message);
  });

  it("reads a pod's unset hostNetwork as false", () => {
    expect(names(fieldMatcher('spec.hostNetwork=false', PODS_TYPE))).toHaveLength(PODS.length);
  });

  it('selects events by source (the reporting component) and involvedObject', () => {
    const event = (name: string, component: string, kind: string): KObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: 'shop' },
      involvedObject: { kind, name: 'web' },
      source: { component },
      type: 'Warning',
    });
    const events = [
      event('a', 'kubelet', 'Pod'),
      event('b', 'deployment-controller', 'Deployment'),
    ];

    const match = fieldMatcher(
      'source=kubelet,involvedObject.kind=Pod,type=Warning',
      type('', 'v1', 'events'),
    );

    expect(events.filter(match).map((e) => e.metadata.name)).toEqual(['a']);
  });

  it('selects nodes by spec.unschedulable and secrets by type', () => {
    const node = (name: string, unschedulable?: boolean): KObject => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: unschedulable === undefined ? {} : { unschedulable },
    });

    const match = fieldMatcher('spec.unschedulable=false', type('', 'v1', 'nodes'));
    const secret = fieldMatcher('type=Opaque', type('', 'v1', 'secrets'));

    expect([node('a'), node('b', true)].filter(match).map((n) => n.metadata.name)).toEqual(['a']);
    expect(
      secret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque' }),
    ).toBe(true);
  });
});

describe('selectorMatcher', () => {
  it('requires every matchLabels pair', () => {
    const match = selectorMatcher({ matchLabels: { app: 'web', tier: 'front' } });

    expect(match({ app: 'web', tier: 'front', extra: 'x' })).toBe(true);
    expect(match({ app: 'web' })).toBe(false);
    expect(match({ app: 'web', tier: 'back' })).toBe(false);
    expect(match(undefined)).toBe(false);
  });

  it.each([
    ['In', ['prod', 'qa'], { env: 'qa' }, true],
    ['In', ['prod', 'qa'], { env: 'dev' }, false],
    ['In', ['prod'], {}, false],
    ['NotIn', ['prod'], { env: 'dev' }, true],
    ['NotIn', ['prod'], { env: 'prod' }, false],
    ['NotIn', ['prod'], {}, true],
    ['Exists', undefined, { env: '' }, true],
    ['Exists', undefined, {}, false],
    ['DoesNotExist', undefined, {}, true],
    ['DoesNotExist', undefined, { env: 'prod' }, false],
  ] as const)('env %s %j on %j is %s', (operator, values, labels, expected) => {
    const match = selectorMatcher({
      matchExpressions: [{ key: 'env', operator, ...(values ? { values: [...values] } : {}) }],
    });

    expect(match(labels)).toBe(expected);
  });

  it('requires matchLabels and every expression together', () => {
    const match = selectorMatcher({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'staging'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });

    expect(match({ app: 'web', env: 'prod' })).toBe(true);
    expect(match({ app: 'web', env: 'prod', legacy: 'true' })).toBe(false);
    expect(match({ app: 'db', env: 'prod' })).toBe(false);
    expect(match({ app: 'web', env: 'dev' })).toBe(false);
  });

  it('matches nothing for an expression with an unknown operator', () => {
    const match = selectorMatcher({ matchExpressions: [{ key: 'env', operator: 'Gt' }] });

    expect(match({ env: '3' })).toBe(false);
  });

  it('matches every set of labels when the selector is empty', () => {
    expect(selectorMatcher({})({ any: 'thing' })).toBe(true);
    expect(selectorMatcher(undefined)(undefined)).toBe(true);
  });
});
