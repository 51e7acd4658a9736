import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SHIPPED = new URL('../../workflows/', import.meta.url).pathname;

/**
 * A workflows folder (WORKFLOWS_DIR) holding the shipped workflows and these files besides, so a
 * test adds a workflow of its own without losing the ones other tests in its file run.
 */
export function workflowsDirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
  cpSync(SHIPPED, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A manual YAML workflow that reads the cluster and reports: it finishes in a moment. */
export const QUICK_LOOK = `
name: quick-look
description: The cluster at a glance, then a report
trigger:
  - manual: true
steps:
  - name: look
    action: cluster-status
  - name: notify
    action: report
`;
