import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../src/config/index.ts';
import { rbacManifest } from '../../src/main/rbac-command.ts';

/**
 * Each deploy overlay's config file is one the product loads, and the writer's Roles committed
 * beside it are what `coxswain rbac` prints for it now, byte for byte: a change to the bindings
 * or the autonomy policy that leaves them stale fails here, saying how to regenerate them.
 */
const OVERLAYS = fileURLToPath(new URL('../../deploy/kubernetes/overlays/', import.meta.url));
const overlays = readdirSync(OVERLAYS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('the deploy overlays', () => {
  it('are the small and ha ones at least, each with its config file', () => {
    expect(overlays).toEqual(expect.arrayContaining(['small', 'ha']));
    expect(overlays.filter((name) => !existsSync(join(OVERLAYS, name, 'coxswain.yaml')))).toEqual(
      [],
    );
  });

  it.each(overlays)(
    '%s: its config loads and writer-rbac.yaml is what coxswain rbac prints',
    (name) => {
      const config = join(OVERLAYS, name, 'coxswain.yaml');
      const committed = join(OVERLAYS, name, 'writer-rbac.yaml');

      const loaded = loadClusterConfig({ COXSWAIN_CONFIG: config });
      const printed = rbacManifest(['--config', config]);

      expect(loaded.clusters[0]?.writeAs).toMatch(/^system:serviceaccount:/);
      expect(
        existsSync(committed) ? readFileSync(committed, 'utf8') : '(missing)',
        `deploy/kubernetes/overlays/${name}/writer-rbac.yaml is not what coxswain rbac prints for its coxswain.yaml: regenerate it with \`npm run rbac:overlays\` (or, in that directory, \`coxswain rbac --config coxswain.yaml > writer-rbac.yaml\`)`,
      ).toBe(printed);
    },
  );
});
