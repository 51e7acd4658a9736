import type { V1ContainerStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { event, NS, only, POD, pod, status } from '../../../../test/support/pod-shapes.ts';

describe('image pulls', () => {
  function pulling(message: string, reason = 'ImagePullBackOff'): V1ContainerStatus {
    return status({ state: { waiting: { reason, message } } });
  }
  const backOff = 'Back-off pulling image "ghcr.io/acme/web:1.4.2"';

  it.each([
    [
      'not-found',
      'Failed to pull image "ghcr.io/acme/web:1.4.2": rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/web:1.4.2": failed to resolve reference "ghcr.io/acme/web:1.4.2": ghcr.io/acme/web:1.4.2: not found',
    ],
    [
      'unauthorized',
      'Failed to pull image "ghcr.io/acme/web:1.4.2": rpc error: code = Unknown desc = failed to pull and unpack image "ghcr.io/acme/web:1.4.2": failed to resolve reference "ghcr.io/acme/web:1.4.2": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Fweb%3Apull&service=ghcr.io: 401 Unauthorized',
    ],
    [
      'rate-limited',
      'Failed to pull image "nginx:1.27": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nginx:1.27": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:0a1b: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.',
    ],
    [
      'wrong-architecture',
      'Failed to pull image "ghcr.io/acme/web:1.4.2": rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/web:1.4.2": no match for platform in manifest: not found',
    ],
    [
      'tls',
      'Failed to pull image "harbor.corp.acme.internal/tools/wiki:2.5.1": rpc error: code = Unknown desc = failed to pull and unpack image "harbor.corp.acme.internal/tools/wiki:2.5.1": failed to resolve reference "harbor.corp.acme.internal/tools/wiki:2.5.1": failed to do request: Head "https://harbor.corp.acme.internal/v2/tools/wiki/manifests/2.5.1": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    ],
    [
      'not-found-or-unauthorized',
      'Failed to pull image "acme/web:1.4.2": Error response from daemon: pull access denied for acme/web, repository does not exist or may require \'docker login\': denied: requested access to the resource is denied',
    ],
  ])('says %s from the Failed event', (kind, message) => {
    const finding = only({
      pods: [pod({ statuses: [pulling(backOff)] })],
      events: [
        event('Failed', message, 'spec.containers{app}'),
        event('Failed', 'Error: ErrImagePull'),
      ],
    });

    expect(finding.rule).toBe(`image-pull/${kind}`);
    expect(finding.evidence).toContain(`Pod ${NS}/${POD} spec.imagePullSecrets: none`);
  });

  it('says which pull secrets the pod has when the registry refuses it', () => {
    const finding = only({
      pods: [
        pod({
          statuses: [pulling('unauthorized: authentication required', 'ErrImagePull')],
          spec: { imagePullSecrets: [{ name: 'ghcr-pull' }] },
        }),
      ],
    });

    expect(finding.rule).toBe('image-pull/unauthorized');
    expect(finding.cause).toContain("the pod's imagePullSecrets: ghcr-pull");
  });

  it('sees an invalid image name', () => {
    const message =
      'Failed to apply default image tag "ghcr.io/acme/Web:1.4.2": couldn\'t parse image reference "ghcr.io/acme/Web:1.4.2": invalid reference format: repository name must be lowercase';

    const finding = only({ pods: [pod({ statuses: [pulling(message, 'InvalidImageName')] })] });

    expect(finding).toMatchObject({ rule: 'image-pull/invalid-name', confidence: 'certain' });
  });

  it('is unsure when nothing says why the pull fails', () => {
    const finding = only({ pods: [pod({ statuses: [pulling(backOff)] })] });

    expect(finding).toMatchObject({ rule: 'image-pull', confidence: 'unsure' });
    expect(finding.cause).toMatch(/^could not determine why the image ghcr\.io\/acme\/web:1\.4\.2/);
  });
});
