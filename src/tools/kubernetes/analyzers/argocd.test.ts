import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Application } from '../../argocd/application.ts';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeApplications } from './argocd.ts';
import type { Snapshot } from './finding.ts';

const REV = '3f1c2e7d4b8a6f0e3c5d7b9a1e2f4c6d8b0a2e4f';

const app = (name: string, status: object, automated?: object) =>
  Application.parse({
    metadata: { name, namespace: 'argocd' },
    spec: {
      destination: { namespace: 'shop' },
      ...(automated === undefined ? {} : { syncPolicy: { automated } }),
    },
    status,
  });

const cart = (
  status: 'Synced' | 'OutOfSync',
  health: object = { status: 'Healthy' },
): Record<string, unknown> => ({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  namespace: 'shop',
  name: 'cart',
  status,
  health,
});

const scaledByHand: V1Deployment = {
  metadata: {
    name: 'cart',
    namespace: 'shop',
    managedFields: [
      {
        manager: 'argocd-controller',
        operation: 'Apply',
        fieldsV1: { 'f:spec': { 'f:template': {} } },
      },
      {
        manager: 'kubectl-scale',
        operation: 'Update',
        time: new Date('2026-03-02T10:00:00Z'),
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
    ],
  },
  spec: { selector: { matchLabels: { app: 'cart' } }, template: {} },
};

const crashing = (name: string): V1Pod => ({
  metadata: { name, namespace: 'shop', labels: { app: 'cart' } },
  status: {
    containerStatuses: [
      {
        name: 'cart',
        image: 'cart',
        imageID: '',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { reason: 'Error', exitCode: 1 } },
      },
    ],
  },
});

const event = (reason: string, message: string, count: number): CoreV1Event => ({
  metadata: { name: `e-${reason}` },
  involvedObject: { kind: 'Application', name: 'cart-app', namespace: 'argocd' },
  reason,
  message,
  count,
});

const snapshot = (extra: Partial<Snapshot> = {}): Snapshot => ({
  ...emptySnapshot(),
  deployments: [scaledByHand],
  ...extra,
});

describe('Argo CD analyzers', () => {
  it('says which resource drifted, who changed it by hand, and what will happen to the change', () => {
    const findings = analyzeApplications(
      [
        app('cart-app', {
          sync: { status: 'OutOfSync', revision: REV },
          resources: [cart('OutOfSync')],
        }),
      ],
      snapshot(),
    );

    expect(findings).toEqual([
      {
        rule: 'argocd-out-of-sync',
        severity: 'warning',
        object: { kind: 'Application', namespace: 'argocd', name: 'cart-app' },
        title:
          'Argo CD application cart-app is OutOfSync with Git at 3f1c2e7: apps/Deployment shop/cart',
        cause: 'the live state differs from Git: apps/Deployment shop/cart',
        confidence: 'certain',
        confidenceReason: "Argo CD's comparison with Git reports it",
        evidence: [
          'apps/Deployment shop/cart: differs from Git',
          'apps/Deployment shop/cart: spec.replicas set by kubectl-scale at 2026-03-02T10:00:00.000Z',
          'nothing syncs it by itself (manual sync policy): a sync would revert the manual change, a change in Git would keep it',
        ],
      },
    ]);
  });

  it('names the refused object and the reason of a failed sync', () => {
    const findings = analyzeApplications(
      [
        app('cart-app', {
          sync: { status: 'OutOfSync', revision: REV },
          conditions: [{ type: 'SyncError', message: `Failed sync attempt to ${REV}: refused` }],
          operationState: {
            phase: 'Failed',
            message: 'one or more objects failed to apply, reason: field is immutable',
            syncResult: {
              revision: REV,
              resources: [
                {
                  ...cart('OutOfSync'),
                  status: 'SyncFailed',
                  message: 'spec.selector: field is immutable',
                },
              ],
            },
          },
        }),
      ],
      snapshot(),
    );

    const failed = findings.find((f) => f.rule === 'argocd-sync-failed');
    expect(failed?.severity).toBe('critical');
    expect(failed?.title).toBe('Argo CD sync of application cart-app failed at revision 3f1c2e7');
    expect(failed?.evidence).toEqual([
      'operation Failed: one or more objects failed to apply, reason: field is immutable',
      'apps/Deployment shop/cart refused: spec.selector: field is immutable',
      `condition SyncError: Failed sync attempt to ${REV}: refused`,
    ]);
  });

  it('explains Degraded by the failing pods of the Degraded resource', () => {
    const findings = analyzeApplications(
      [
        app('cart-app', {
          sync: { status: 'Synced', revision: REV },
          health: {
            status: 'Degraded',
            message: 'Deployment "cart" exceeded its progress deadline',
          },
          resources: [
            cart('Synced', {
              status: 'Degraded',
              message: 'Deployment "cart" exceeded its progress deadline',
            }),
          ],
        }),
      ],
      snapshot({ pods: [crashing('cart-1'), crashing('cart-2')] }),
    );

    expect(findings.map((f) => f.rule)).toEqual(['argocd-degraded']);
    expect(findings[0]?.evidence).toEqual([
      'application health: Degraded (Deployment "cart" exceeded its progress deadline)',
      'apps/Deployment shop/cart is Degraded: Deployment "cart" exceeded its progress deadline',
      '2 of 2 pods: container cart waiting: CrashLoopBackOff',
      '2 of 2 pods: container cart last terminated: Error (exit code 1)',
    ]);
  });

  it('sees self-heal fighting a manual change in its attempt count, not in a single revert', () => {
    const healed = (count: number) =>
      app(
        'cart-app',
        {
          sync: { status: 'Synced', revision: REV },
          operationState: {
            phase: 'Succeeded',
            operation: {
              sync: { revision: REV, selfHealAttemptsCount: count },
              initiatedBy: { automated: true },
            },
            syncResult: {
              revision: REV,
              resources: [{ ...cart('Synced'), message: 'deployment.apps/cart configured' }],
            },
          },
        },
        { selfHeal: true },
      );
    const started = event(
      'OperationStarted',
      `Initiated automated sync to '${REV}' to self-heal`,
      3,
    );

    const once = analyzeApplications([healed(1)], snapshot());
    const fight = analyzeApplications([healed(3)], snapshot({ events: [started] }));

    expect(once).toEqual([]);
    expect(fight.map((f) => f.rule)).toEqual(['argocd-self-heal-fight']);
    expect(fight[0]?.evidence.slice(0, 2)).toEqual([
      'self-heal attempts on revision 3f1c2e7: 3',
      "apps/Deployment shop/cart put back to Git's state: deployment.apps/cart configured",
    ]);
    expect(fight[0]?.evidence.at(-1)).toBe(
      `event OperationStarted: Initiated automated sync to '${REV}' to self-heal (x3)`,
    );
  });
});
