import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A strictness pass the schema validators of kubernetes-models do not make: they accept fields
 * no Kubernetes type has (a misspelt `livenessprobe` passes), which the API server then drops
 * or refuses. This walks an object along the models' type declarations (one `.d.ts` per type,
 * fields as `"name"?: Type;`) and names every field its type does not declare. Maps
 * (`{ [key: string]: … }`) and scalar aliases (quantities, IntOrString, times) are not walked.
 */
const MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

type Declared = { fields: Map<string, string>; imports: Map<string, string> };
const cache = new Map<string, Declared | undefined>();

function declared(file: string): Declared | undefined {
  if (cache.has(file)) return cache.get(file);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const imports = new Map<string, string>();
  for (const [, names = '', from = ''] of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm))
    for (const name of names.split(',').map((n) => n.trim()))
      imports.set(
        name,
        from.startsWith('.')
          ? join(dirname(file), from.replace(/\.js$/, '.d.ts'))
          : `${join(MODULES, from)}.d.ts`,
      );
  const body = /^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text)?.[1];
  const result =
    body === undefined
      ? undefined
      : {
          imports,
          fields: new Map(
            [...body.matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)].map((m) => [
              m[1] ?? '',
              m[2] ?? '',
            ]),
          ),
        };
  cache.set(file, result);
  return result;
}

/** The file of the type a field holds (for arrays, of their items), if it is a declared type. */
function typeFile(type: string, from: Declared): string | undefined {
  const name = /^Array<(\w+)>$/.exec(type)?.[1] ?? /^(\w+)$/.exec(type)?.[1];
  return name === undefined ? undefined : from.imports.get(name);
}

function walk(value: unknown, file: string, path: string, problems: string[]): void {
  const type = declared(file);
  if (type === undefined || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walk(item, file, `${path}[${i}]`, problems);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const fieldType = type.fields.get(key);
    if (fieldType === undefined) {
      problems.push(`${path}.${key}: no such field`);
      continue;
    }
    const next = typeFile(fieldType, type);
    if (next !== undefined) walk(child, next, `${path}.${key}`, problems);
  }
}

/** Fields of a manifest that its kind's type does not declare, by path. */
export function strictProblems(object: { apiVersion: string; kind: string }): string[] {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const file = [
    join(MODULES, 'kubernetes-models', group ?? '', version ?? '', `${object.kind}.d.ts`),
    join(
      MODULES,
      '@kubernetes-models/prometheus-operator',
      group ?? '',
      version ?? '',
      `${object.kind}.d.ts`,
    ),
  ].find(existsSync);
  if (file === undefined) return [`no type declaration for ${object.apiVersion} ${object.kind}`];
  const problems: string[] = [];
  walk(object, file, object.kind, problems);
  return problems;
}
