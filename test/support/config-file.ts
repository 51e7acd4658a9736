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
