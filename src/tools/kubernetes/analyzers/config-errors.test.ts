import type { V1Container } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { crashed, event, NS, only, POD, pod, status } from '../../../../test/support/pod-shapes.ts';

describe('configuration', () => {
  function configError(message: string, reason = 'CreateContainerConfigError') {
    return status({ state: { waiting: { reason, message } } });
  }

  it('names a missing key and where the pod refers to it', () => {
    const app: V1Container = {
      name: 'app',
      image: 'ghcr.io/acme/web:1.4.2',
      env: [
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } },
      ],
    };

    const finding = only({
      pods: [
        pod({
          containers: [app],
          statuses: [configError("couldn't find key password in Secret shop/db-creds")],
        }),
      ],
    });

    expect(finding).toMatchObject({
      rule: 'missing-reference/key',
      title: `container app of pod ${POD} refers to key password of secret db-creds, which does not exist`,
      confidence: 'certain',
    });
    expect(finding.evidence).toContain(
      `Pod ${NS}/${POD} spec.containers[app].env[DB_PASSWORD].valueFrom.secretKeyRef: db-creds`,
    );
  });

  it('names a missing Secret', () => {
    const finding = only({
      pods: [pod({ statuses: [configError('secret "db-creds" not found')] })],
    });

    expect(finding.rule).toBe('missing-reference/secret');
  });

  it('names a command that is not in the image', () => {
    const message =
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "gunicorn": executable file not found in $PATH: unknown';

    const finding = only({
      pods: [pod({ statuses: [configError(message, 'CreateContainerError')] })],
    });

    expect(finding).toMatchObject({
      rule: 'container-config/command-not-found',
      confidence: 'certain',
    });
    expect(finding.cause).toContain('the command gunicorn is not found in the image');
  });

  it('reads a start error kept in the last termination of a crash loop', () => {
    const ended = crashed(128, 'StartError');
    if (ended.lastState?.terminated)
      ended.lastState.terminated.message =
        'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/app/run.sh": permission denied: unknown';

    const finding = only({ pods: [pod({ statuses: [ended] })] });

    expect(finding.rule).toBe('container-config/not-executable');
  });

  it('names a subPath that cannot be mounted', () => {
    const message = 'failed to prepare subPath for volumeMount "config" of container "app"';

    const finding = only({ pods: [pod({ statuses: [configError(message)] })] });

    expect(finding.rule).toBe('container-config/subpath');
  });

  it('names a ConfigMap a volume mounts, from the FailedMount event', () => {
    const creating = status({ state: { waiting: { reason: 'ContainerCreating' } } });

    const finding = only({
      pods: [
        pod({
          phase: 'Pending',
          statuses: [creating],
          spec: { volumes: [{ name: 'config', configMap: { name: 'web-config' } }] },
        }),
      ],
      events: [
        event(
          'FailedMount',
          'MountVolume.SetUp failed for volume "config" : configmap "web-config" not found',
          undefined,
          7,
        ),
      ],
    });

    expect(finding).toMatchObject({
      rule: 'missing-reference/configmap',
      title: `pod ${POD} mounts configmap web-config as volume config, and it does not exist`,
    });
    expect(finding.evidence).toContain(
      `Pod ${NS}/${POD} spec.volumes[config]: configMap web-config`,
    );
  });
});
