import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Writes a config file (COXSWAIN_CONFIG) in a directory of its own and returns its path. */
export function writeConfigFile(content: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'coxswain-config-')), 'coxswain.yaml');
  writeFileSync(path, stringify(content));
  return path;
}

/**
 * The config file the approval tests share: one cluster, and one channel bound to every
 * namespace on it up to `confirm`, with `approvers` deciding; `more` adds sections (routes, gitops).
 */
export function writeApprovalConfig(
  options: {
    cluster: string;
    kubeconfig: string;
    channel: string;
    approvers: string[];
  },
  more: Record<string, unknown> = {},
): string {
  return writeConfigFile({
    clusters: [{ name: options.cluster, kubeconfig: options.kubeconfig }],
    bindings: [
      {
        channel: options.channel,
        clusters: [options.cluster],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: options.approvers,
      },
    ],
    ...more,
  });
}
