import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  aliasBomb,
  deepArray,
  deepObject,
  HUGE,
  hostileCases,
  prototypePolluted,
  SAMPLE_VALUES,
} from '../../test/support/hostile-values.ts';
import { CoxswainError } from '../errors.ts';
import { loadConfig } from './load.ts';

/**
 * The config file with hostile values in every field, and hostile as a whole: each one loads, or
 * fails with a `config_invalid` error naming the file. Never another error, never a hang.
 */
const VALID = {
  clusters: [{ name: 'prod', context: 'prod-admin', timeoutSeconds: 30 }],
  bindings: [
    {
      channel: 'slack:C0OPS',
      clusters: ['prod'],
      namespaces: ['payments'],
      maxTier: 'confirm',
      approvers: ['slack:U0DANA'],
    },
  ],
  people: [{ name: 'dana', ids: ['slack:U0DANA'] }],
  budgets: { runTurns: 12 },
  routes: [{ match: { severity: 'critical' }, channels: ['web:alerts'] }],
  investigations: { freshMinutes: 15 },
};

const dir = mkdtempSync(join(tmpdir(), 'coxswain-hostile-config-'));
let written = 0;

function fileWith(text: string): string {
  const path = join(dir, `config-${written++}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** The file loaded: `loaded`, or the message of the config error, which must name the file. */
function outcome(path: string): string {
  try {
    loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', COXSWAIN_CONFIG: path }, { chat: false });
    return 'loaded';
  } catch (error) {
    expect(error).toBeInstanceOf(CoxswainError);
    expect((error as CoxswainError).code).toBe('config_invalid');
    expect((error as Error).message).toContain(path);
    return (error as Error).message;
  }
}

const WHOLE_FILES: Record<string, string> = {
  'aliases that expand a billion times': aliasBomb('clusters'),
  'a 2 MiB file': `clusters: []\n# ${'x'.repeat(2 * 1024 * 1024)}\n`,
  '10,000-deep flow sequences': `clusters: ${deepArray(10_000)}`,
  '10,000-deep flow mappings': `clusters: ${deepObject(10_000)}`,
  '3,000-deep block mappings': Array.from({ length: 3_000 }, (_, i) => `${' '.repeat(i)}a:`).join(
    '\n',
  ),
  'a list at the top': '- clusters\n- bindings\n',
  'a string at the top': 'clusters',
  'tabs for indentation': 'clusters:\n\t- name: prod\n',
  'an unknown tag': 'clusters: !!js/function "return 1"\n',
  'a merge key of __proto__': 'base: &b {polluted: yes}\n__proto__: *b\n',
  'binary garbage': '\u0000\u0001\u00ff\ufffe\ud800'.repeat(100),
  '__proto__ beside the fields': `__proto__: {polluted: yes}\n${JSON.stringify(VALID)}`,
};

describe('a hostile config file', () => {
  const cases = [
    ...hostileCases(VALID, { values: SAMPLE_VALUES }),
    // The huge values once each, at the top and in a leaf, rather than in every field.
    ...hostileCases({ clusters: [{ name: 'prod' }] }, { values: HUGE, keys: [] }).filter((c) =>
      c.name.startsWith('clusters[0].name ←'),
    ),
  ];

  it(`loads or refuses, naming the file, each of ${cases.length} hostile field values`, () => {
    const refused = cases.filter((c) => {
      const said = outcome(fileWith(c.json));
      expect(prototypePolluted(), c.name).toBe(false);
      return said !== 'loaded';
    });

    expect(outcome(fileWith(JSON.stringify(VALID)))).toBe('loaded');
    expect(refused.length).toBeGreaterThan(cases.length / 2);
  });

  it.each(Object.entries(WHOLE_FILES))('refuses %s as a config error', (_name, text) => {
    const message = outcome(fileWith(text));

    expect(message).not.toBe('loaded');
    expect(prototypePolluted()).toBe(false);
  });

  it('refuses a device as the config file, rather than reading it without end', () => {
    expect(outcome('/dev/zero')).toMatch(/is not a regular file/);
  });
});
