import { describe, expect, it } from 'vitest';
import { openRepository } from '../git/repository.ts';
import { desiredObjects, refuseRendered } from './desired-manifests.ts';

const TOKEN = 'ghp_configuredToken0123456789';
const configured = openRepository({
  repo: 'https://x-access-token:s3cretInTheUrl@github.com/acme/deploy.git',
  branch: 'main',
  path: 'apps',
  workDir: '/nonexistent/coxswain-clone',
  forge: { type: 'github', url: 'https://api.github.com', token: TOKEN },
  env: {},
});

describe('where the desired state is read from', () => {
  it('names the configured repository, without credentials, when the source is another', async () => {
    const source = {
      app: 'web',
      repoURL: 'https://user:pw1234@github.com/acme/other.git',
      path: 'apps/web',
    };

    const refusal = desiredObjects(source, 'main', 'web', configured);

    await expect(refusal).rejects.toThrow(
      /^argocd_diff reads the Application's source from the configured gitops repository \(https:\/\/.+@github\.com\/acme\/deploy\.git\) or a local path; web's source is https:\/\/.+@github\.com\/acme\/other\.git$/,
    );
    const message = await refusal.catch((e: Error) => e.message);
    for (const secret of ['s3cretInTheUrl', 'pw1234', TOKEN]) expect(message).not.toContain(secret);
  });
});

describe('sources Argo CD renders', () => {
  it('refuses a Kustomize directory or a Helm chart at the root of the path', () => {
    const kustomize = ['apps/web/deployment.yaml', 'apps/web/kustomization.yaml'];
    const helm = ['charts/web/Chart.yaml', 'charts/web/templates/deployment.yaml'];

    expect(() => refuseRendered(kustomize, 'apps/web', 'web')).toThrow(
      "argocd_diff covers plain manifest directories only: application web's source is a Kustomize directory (apps/web/kustomization.yaml), whose manifests Argo CD renders",
    );
    expect(() => refuseRendered(helm, 'charts/web', 'web')).toThrow(
      "application web's source is a Helm chart (charts/web/Chart.yaml)",
    );
    expect(() => refuseRendered(['Kustomization', 'a.yaml'], '.', 'root')).toThrow(
      'a Kustomize directory (Kustomization)',
    );
  });

  it('takes a plain directory, even with a kustomization deeper down', () => {
    const paths = ['apps/web/deployment.yaml', 'apps/web/overlays/prod/kustomization.yaml'];

    expect(() => refuseRendered(paths, 'apps/web', 'web')).not.toThrow();
  });
});
