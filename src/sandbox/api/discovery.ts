import { apiVersionOf, groups, RESOURCES, type ResourceType, verbsOf } from './catalog.ts';

/**
 * The discovery documents `kubectl` and the client libraries read to learn what the server
 * serves: `/api`, `/apis`, and one resource list per group version (legacy discovery; clients
 * that ask for aggregated discovery fall back to it).
 */
export function coreVersions(address: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }],
  };
}

export function groupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(groupOf) };
}

export function group(name: string) {
  const found = groups().find((g) => g.name === name);
  return found === undefined
    ? undefined
    : { kind: 'APIGroup', apiVersion: 'v1', ...groupOf(found) };
}

export function resourceList(groupName: string, version: string) {
  const types = RESOURCES.filter((r) => r.group === groupName && r.version === version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((type) => [
    entry(type),
    ...(type.subresources ?? []).map((sub) => subEntry(type, sub)),
  ]);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(types[0] as ResourceType),
    resources,
  };
}

export function version() {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-coxswain-sandbox',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function groupOf(g: { name: string; version: string; versions: string[] }) {
  const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
  const preferred = { groupVersion: `${g.name}/${g.version}`, version: g.version };
  return { name: g.name, versions, preferredVersion: preferred };
}

function entry(type: ResourceType) {
  const out: Record<string, unknown> = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: verbsOf(type),
  };
  if (type.shortNames !== undefined && type.shortNames.length > 0) out.shortNames = type.shortNames;
  if (type.categories !== undefined && type.categories.length > 0) out.categories = type.categories;
  return out;
}

/** Subresources whose kind lives in another group: (kind, group, version, verbs). */
const FOREIGN_SUBRESOURCES: Record<string, [string, string, string, string[]]> = {
  scale: ['Scale', 'autoscaling', 'v1', ['get', 'patch', 'update']],
  // kubectl drain looks for this entry to know that evictions are served, and in which version.
  eviction: ['Eviction', 'policy', 'v1', ['create']],
  token: ['TokenRequest', 'authentication.k8s.io', 'v1', ['create']],
};

function subEntry(type: ResourceType, sub: string) {
  const foreign = FOREIGN_SUBRESOURCES[sub];
  const out: Record<string, unknown> = {
    name: `${type.plural}/${sub}`,
    singularName: '',
    namespaced: type.namespaced,
    kind: foreign?.[0] ?? (sub === 'log' ? 'Pod' : type.kind),
    verbs: foreign?.[3] ?? (sub === 'log' ? ['get'] : ['get', 'patch', 'update']),
  };
  if (foreign !== undefined) {
    out.group = foreign[1];
    out.version = foreign[2];
  }
  return out;
}
