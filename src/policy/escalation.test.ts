import { describe, expect, it } from 'vitest';
import { escalations } from './escalation.ts';
import type { LeafChange, PathPart } from './field-path.ts';

const POD = [{ key: 'spec' }, { key: 'template' }, { key: 'spec' }] as const;
const API = [...POD, { key: 'containers' }, { item: 'api' }] as const;

function leaf(parts: readonly PathPart[], before: unknown, after: unknown): LeafChange {
  return { parts, before, after };
}

describe('escalations', () => {
  it.each([
    [
      'privileged',
      leaf([...API, { key: 'securityContext' }, { key: 'privileged' }], undefined, true),
    ],
    [
      'allowPrivilegeEscalation',
      leaf([...API, { key: 'securityContext' }, { key: 'allowPrivilegeEscalation' }], false, true),
    ],
    ['hostPID', leaf([...POD, { key: 'hostPID' }], undefined, true)],
    ['hostNetwork', leaf([...POD, { key: 'hostNetwork' }], false, true)],
    ['hostIPC', leaf([...POD, { key: 'hostIPC' }], undefined, true)],
    [
      'hostPath',
      leaf(
        [...POD, { key: 'volumes' }, { item: 'root' }, { key: 'hostPath' }, { key: 'path' }],
        undefined,
        '/',
      ),
    ],
    [
      'capabilities',
      leaf(
        [...API, { key: 'securityContext' }, { key: 'capabilities' }, { key: 'add' }],
        ['CHOWN'],
        ['CHOWN', 'SYS_ADMIN'],
      ),
    ],
    ['runAsUser', leaf([...API, { key: 'securityContext' }, { key: 'runAsUser' }], 1000, 0)],
    [
      'pod runAsUser',
      leaf([...POD, { key: 'securityContext' }, { key: 'runAsUser' }], undefined, 0),
    ],
    ['serviceAccountName', leaf([...POD, { key: 'serviceAccountName' }], 'api', 'admin')],
    ['serviceAccount', leaf([...POD, { key: 'serviceAccount' }], undefined, 'admin')],
    [
      'automountServiceAccountToken',
      leaf([...POD, { key: 'automountServiceAccountToken' }], false, true),
    ],
    [
      'cronjob privileged',
      leaf(
        [
          { key: 'spec' },
          { key: 'jobTemplate' },
          { key: 'spec' },
          ...POD,
          { key: 'initContainers' },
          { item: 'init' },
          { key: 'securityContext' },
          { key: 'privileged' },
        ],
        undefined,
        true,
      ),
    ],
  ])('refuses %s, naming the field', (_name, change) => {
    const reasons = escalations('Deployment', [change]);

    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^spec\./);
  });

  it.each([
    [
      'a memory limit',
      leaf([...API, { key: 'resources' }, { key: 'limits' }, { key: 'memory' }], '256Mi', '512Mi'),
    ],
    [
      'dropping privileged',
      leaf([...API, { key: 'securityContext' }, { key: 'privileged' }], true, false),
    ],
    [
      'removing a hostPath volume',
      leaf(
        [...POD, { key: 'volumes' }, { item: 'root' }, { key: 'hostPath' }, { key: 'path' }],
        '/',
        undefined,
      ),
    ],
    [
      'dropping capabilities',
      leaf(
        [...API, { key: 'securityContext' }, { key: 'capabilities' }, { key: 'add' }],
        ['NET_ADMIN'],
        [],
      ),
    ],
    ['a non-root user', leaf([...API, { key: 'securityContext' }, { key: 'runAsUser' }], 0, 1000)],
    [
      'an annotation named hostPath',
      leaf([{ key: 'metadata' }, { key: 'annotations' }, { key: 'hostPath' }], undefined, 'x'),
    ],
  ])('allows %s', (_name, change) => {
    expect(escalations('Deployment', [change])).toEqual([]);
  });

  it.each(['Secret', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount'])(
    'refuses any change to a %s',
    (kind) => {
      const reasons = escalations(kind, [
        leaf([{ key: 'metadata' }, { key: 'labels' }, { key: 'a' }], undefined, 'b'),
      ]);

      expect(reasons).toEqual([expect.stringMatching(new RegExp(`^${kind}: `))]);
    },
  );

  it.each(['destination', 'source', 'sources', 'project'])(
    "refuses a change to an Argo CD application's %s",
    (field) => {
      const change = leaf([{ key: 'spec' }, { key: field }, { key: 'x' }], 'a', 'b');

      expect(escalations('Application', [change])).toEqual([
        expect.stringContaining(`spec.${field}.x: `),
      ]);
    },
  );

  it("allows an Argo CD application's sync policy", () => {
    const change = leaf(
      [{ key: 'spec' }, { key: 'syncPolicy' }, { key: 'automated' }],
      undefined,
      {},
    );

    expect(escalations('Application', [change])).toEqual([]);
  });
});
