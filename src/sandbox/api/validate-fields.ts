import type { ResourceType } from './catalog.ts';
import type { KObject } from './store.ts';

/**
 * The API server's field checks that clients trip most after types: label keys and values,
 * unique container names, port ranges, and ConfigMap keys and size. Each problem reads as the
 * real one does (`field: Invalid value: …`), for `validate` to gather.
 */
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_MAP_BYTES = 1024 * 1024;

const NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

type Container = {
  name?: unknown;
  ports?: { containerPort?: unknown }[];
  env?: { name?: unknown }[];
  volumeMounts?: { name?: unknown; mountPath?: unknown }[];
};
type Volume = Record<string, unknown> & { name?: unknown };

export function fieldProblems(type: ResourceType, object: KObject): string[] {
  const problems = labelProblems(object.metadata.labels, 'metadata.labels');
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  if (type.kind === 'Pod') problems.push(...podSpecProblems(spec, 'spec'));
  const template = (spec.template as { spec?: Record<string, unknown> } | undefined)?.spec;
  if (template !== undefined) problems.push(...podSpecProblems(template, 'spec.template.spec'));
  if (type.kind === 'Service') problems.push(...portProblems(spec));
  if (type.kind === 'ConfigMap') problems.push(...configMapProblems(object));
  return problems;
}

function labelProblems(labels: unknown, at: string): string[] {
  if (typeof labels !== 'object' || labels === null) return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const rule of qualifiedNameRules(key))
      problems.push(`${at}: Invalid value: ${JSON.stringify(key)}: ${rule}`);
    const text = String(value);
    for (const rule of labelValueRules(text))
      problems.push(`${at}: Invalid value: ${JSON.stringify(text)}: ${rule}`);
  }
  return problems;
}

/** What a label key breaks of the qualified-name rules (`prefix/name`), as the server says it. */
export function qualifiedNameRules(key: string): string[] {
  const rules: string[] = [];
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    rules.push(
      "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  if (name.length === 0) rules.push('name part must be non-empty');
  else if (name.length > 63) rules.push('name part must be no more than 63 characters');
  else if (!NAME_PART.test(name)) rules.push(NAME_RULE);
  return rules;
}

/** What a label value breaks: at most 63 characters, empty or a name part. */
export function labelValueRules(value: string): string[] {
  if (value.length > 63) return ['must be no more than 63 characters'];
  if (value !== '' && !NAME_PART.test(value)) return [VALUE_RULE];
  return [];
}

/** A pod spec's volumes, then its containers, in the order the server validates them. */
function podSpecProblems(spec: Record<string, unknown>, at: string): string[] {
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as (Volume | null)[]) : [];
  const problems = volumes.flatMap((volume, i) =>
    volumeProblems(volume ?? {}, `${at}.volumes[${i}]`),
  );
  const names = new Set(
    volumes.map((v) => v?.name).filter((n) => typeof n === 'string' && n !== ''),
  );
  return [...problems, ...containerProblems(spec, at, names)];
}

/** A volume needs a name and exactly one source; `null` in the list decodes to neither. */
function volumeProblems(volume: Volume, at: string): string[] {
  const problems: string[] = [];
  const sources = Object.keys(volume).filter((key) => key !== 'name' && volume[key] != null);
  if (sources.length === 0) problems.push(`${at}: Required value: must specify a volume type`);
  if (typeof volume.name !== 'string' || volume.name === '')
    problems.push(`${at}.name: Required value`);
  return problems;
}

function containerProblems(
  spec: Record<string, unknown>,
  at: string,
  volumes: ReadonlySet<unknown>,
): string[] {
  const problems: string[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = Array.isArray(spec[list]) ? (spec[list] as Container[]) : [];
    const seen = new Set<unknown>();
    containers.forEach((c, i) => {
      const path = `${at}.${list}[${i}]`;
      if (c?.name !== undefined && seen.has(c.name))
        problems.push(`${path}.name: Duplicate value: ${JSON.stringify(c.name)}`);
      seen.add(c?.name);
      (c?.ports ?? []).forEach((port, j) => {
        const number = port?.containerPort;
        if (number === undefined || number === 0)
          problems.push(`${path}.ports[${j}].containerPort: Required value`);
        else if (typeof number === 'number' && (number < 1 || number > 65535))
          problems.push(
            `${path}.ports[${j}].containerPort: Invalid value: ${number}: must be between 1 and 65535, inclusive`,
          );
      });
      (c?.env ?? []).forEach((variable, j) => {
        if (typeof variable?.name === 'string' && variable.name !== '') return;
        // The relaxed name rules (on by default since 1.32) also call the empty name invalid.
        problems.push(`${path}.env[${j}].name: Required value`);
        problems.push(
          `${path}.env[${j}].name: Invalid value: "": environment variable name must be non-empty`,
        );
      });
      (c?.volumeMounts ?? []).forEach((mount, j) => {
        const name = typeof mount?.name === 'string' ? mount.name : '';
        if (name === '') problems.push(`${path}.volumeMounts[${j}].name: Required value`);
        if (!volumes.has(name))
          problems.push(`${path}.volumeMounts[${j}].name: Not found: ${JSON.stringify(name)}`);
        if (typeof mount?.mountPath !== 'string' || mount.mountPath === '')
          problems.push(`${path}.volumeMounts[${j}].mountPath: Required value`);
      });
    });
  }
  return problems;
}

function portProblems(spec: Record<string, unknown>): string[] {
  const ports = Array.isArray(spec.ports) ? (spec.ports as { port?: unknown }[]) : [];
  return ports.flatMap((p, i) =>
    typeof p?.port === 'number' && (p.port < 1 || p.port > 65535)
      ? [`spec.ports[${i}].port: Invalid value: ${p.port}: must be between 1 and 65535, inclusive`]
      : [],
  );
}

function configMapProblems(object: KObject): string[] {
  const problems: string[] = [];
  let bytes = 0;
  for (const field of ['data', 'binaryData'] as const) {
    const entries = Object.entries((object[field] ?? {}) as Record<string, unknown>);
    for (const [key, value] of entries) {
      bytes += key.length + String(value).length;
      if (key.length > 253 || !CONFIG_KEY.test(key))
        problems.push(
          `${field}[${key}]: Invalid value: ${JSON.stringify(key)}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
        );
    }
  }
  if (bytes > CONFIG_MAP_BYTES)
    problems.push(`[]: Too long: must have at most ${CONFIG_MAP_BYTES} bytes`);
  return problems;
}
