import { keysOf, type LeafChange, type PathPart, pathText } from './field-path.ts';

/**
 * Changes that are forbidden whatever the tier, the binding or a workflow says: each would give a
 * workload more power than it had (a privileged container, the node's namespaces or files, another
 * identity, a Secret it did not read), hand power a workload already has to new code, delete by
 * other means than a delete, redirect traffic, or touch what guards the cluster (RBAC, Secrets,
 * where an Argo CD application deploys from and to). Judged on the fields a change really
 * touches, from the server's dry run, when it is proposed and again right before it is executed.
 */

const RBAC = 'RBAC objects decide who may do what; Coxswain never changes them';
const GUARDED_KINDS: Record<string, string> = {
  Secret: 'Secrets are never read or changed by Coxswain',
  ServiceAccount: 'service accounts are identities; changing them is not a fix Coxswain proposes',
  Role: RBAC,
  ClusterRole: RBAC,
  RoleBinding: RBAC,
  ClusterRoleBinding: RBAC,
};

/** ConfigMaps that act as access control or identity: a value there can grant admin. */
const GUARDED_CONFIGMAPS = new Set(['argocd-rbac-cm', 'argocd-cm', 'aws-auth']);

const ARGO_GUARDED = new Set([
  'destination',
  'source',
  'sources',
  'sourceHydrator',
  'project',
  'syncPolicy',
]);
const IDENTITY_FIELDS = new Set([
  'serviceAccountName',
  'serviceAccount',
  'automountServiceAccountToken',
]);
const HOST_FIELDS = new Set(['hostPID', 'hostNetwork', 'hostIPC', 'hostUsers']);
/** Volume sources a fix may add: none reads the node or a Secret. */
const SAFE_VOLUMES = new Set([
  'name',
  'emptyDir',
  'configMap',
  'downwardAPI',
  'persistentVolumeClaim',
  'ephemeral',
]);
/** Container fields that decide what code runs, with what: frozen in a pod that holds power. */
const CODE_FIELDS = new Set([
  'image',
  'command',
  'args',
  'env',
  'envFrom',
  'volumeMounts',
  'workingDir',
  'lifecycle',
]);
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
/** Environment variables that change what a process loads or where its traffic goes. */
const LOADER_ENV =
  /^(LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT|NODE_OPTIONS|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|PYTHONPATH|PYTHONSTARTUP|PERL5OPT|RUBYOPT|BASH_ENV|ENV|HTTPS?_PROXY|ALL_PROXY|NO_PROXY|https?_proxy|all_proxy|no_proxy|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|NODE_EXTRA_CA_CERTS)$/;
const RISKY_ANNOTATION =
  /^(container\.apparmor\.security\.beta\.kubernetes\.io\/|seccomp\.security\.alpha\.kubernetes\.io\/|container\.seccomp\.security\.alpha\.kubernetes\.io\/|nginx\.ingress\.kubernetes\.io\/(.*-snippet|auth-url|auth-signin|auth-snippet)$|vault\.hashicorp\.com\/)/;

type Target = { kind: string; name: string; namespace: string | undefined };

/**
 * Why the change may not be made, one reason per offending field; empty when none. `after` is
 * the object as the change would leave it (the server's dry run), for what depends on the whole
 * pod rather than one field.
 */
export function escalations(
  target: Target,
  leaves: readonly LeafChange[],
  after?: unknown,
  /** The change is a sync or rollback proposal: it may set an Argo CD application's `operation`. */
  options: { argoOperation?: boolean } = {},
): string[] {
  if (leaves.length === 0) return [];
  const guarded = GUARDED_KINDS[target.kind];
  if (guarded !== undefined) return [`${target.kind}: ${guarded}`];
  if (target.kind === 'ConfigMap' && guardedConfigMap(target))
    return [
      `ConfigMap ${target.name}: it decides who may do what (access control or identity); Coxswain never changes it`,
    ];
  const powerful = holdsPower(after);
  const reasons = new Set<string>();
  for (const leaf of leaves) {
    if (options.argoOperation === true && isOperation(target.kind, leaf)) {
      const reason = operationReason(leaf, after);
      if (reason !== undefined) reasons.add(`${pathText(leaf.parts)}: ${reason}`);
      continue;
    }
    const reason = reasonFor(target.kind, leaf) ?? (powerful ? codeChange(leaf) : undefined);
    if (reason !== undefined) reasons.add(`${pathText(leaf.parts)}: ${reason}`);
  }
  return [...reasons];
}

function isOperation(kind: string, leaf: LeafChange): boolean {
  return kind === 'Application' && keysOf(leaf.parts)[0] === 'operation';
}

/**
 * What a sync or rollback may set in `operation`: the revision, prune, who started it and its
 * notes, and a source only when it is the application's own (a rollback names it). Anything else
 * (another source, inline manifests, sync options such as Replace, a resource list) would change
 * what or how the application deploys.
 */
function operationReason(leaf: LeafChange, after: unknown): string | undefined {
  const keys = keysOf(leaf.parts);
  const [, what, field] = keys;
  if (what === 'info' || (what === 'initiatedBy' && field === 'username')) return undefined;
  if (what === 'sync' && (field === 'revision' || field === 'prune') && keys.length === 3)
    return undefined;
  if (what === 'sync' && field === 'source' && ownSource(after)) return undefined;
  return "a sync or rollback sets only the revision, prune and the application's own source";
}

function ownSource(after: unknown): boolean {
  const app = after as {
    spec?: { source?: Record<string, unknown> };
    operation?: { sync?: { source?: Record<string, unknown> } };
  };
  const own = app?.spec?.source;
  const named = app?.operation?.sync?.source;
  if (own === undefined || named === undefined) return false;
  return (['repoURL', 'path', 'chart'] as const).every((key) => own[key] === named[key]);
}

function guardedConfigMap(target: Target): boolean {
  return GUARDED_CONFIGMAPS.has(target.name) || target.namespace === 'kube-system';
}

function reasonFor(kind: string, leaf: LeafChange): string | undefined {
  const keys = keysOf(leaf.parts);
  const last = keys.at(-1) ?? '';
  const { after } = leaf;
  if (kind === 'Application' && keys[0] === 'operation')
    return 'an Argo CD operation is started by a sync proposal, never by a patch';
  if (kind === 'Application' && keys[0] === 'spec' && ARGO_GUARDED.has(keys[1] ?? ''))
    return "an Argo CD application's destination, source and project are not changed by Coxswain";
  if (keys[0] === 'metadata' && (keys[1] === 'ownerReferences' || keys[1] === 'finalizers'))
    return 'owners and finalizers decide when objects are deleted; a patch may not delete';
  if (keys.includes('annotations') && RISKY_ANNOTATION.test(last))
    return 'this annotation changes security settings, credentials or proxy behaviour';
  if (keys.includes('securityContext'))
    return 'security settings are changed by people, never by a proposal';
  if (keys.includes('capabilities')) return 'Linux capabilities are changed by people only';
  if (HOST_FIELDS.has(last) && keys.at(-2) === 'spec') return "shares the node's namespaces";
  if (last === 'shareProcessNamespace' && after === true)
    return "lets every container see the others' processes";
  if (last === 'hostPort' || last === 'hostIP') return "binds a port on the node's network";
  if (IDENTITY_FIELDS.has(last)) return "changes the pods' service account (their identity)";
  if (last === 'nodeName') return 'places the pod on a node by hand, past the scheduler';
  if (keys.includes('tolerations'))
    return 'tolerations decide which nodes a pod may land on (the control plane too); people change them';
  if (unsafeVolume(leaf.parts)) return "mounts the node's files, a Secret or a remote source";
  if (keys.includes('secretKeyRef') || keys.includes('secretRef'))
    return 'reads a Secret into the container';
  if (loaderEnv(leaf.parts)) return 'changes what the process loads or where its traffic goes';
  if (kind === 'Service' && (last === 'externalIPs' || last === 'externalName'))
    return "redirects the cluster's traffic";
  if (kind === 'Service' && last === 'type' && after === 'ExternalName')
    return "redirects the cluster's traffic";
  if (kind === 'StatefulSet' && keys.includes('persistentVolumeClaimRetentionPolicy'))
    return 'decides whether volumes are deleted; a patch may not delete';
  if (last === 'revisionHistoryLimit' || last.endsWith('HistoryLimit'))
    return 'decides how much history is kept; a patch may not delete rollback history';
  return undefined;
}

/** `volumes[x].<source>…` where the source is anything but the few that read neither node nor Secret. */
function unsafeVolume(parts: readonly PathPart[]): boolean {
  return parts.some((part, i) => {
    const item = parts[i - 1];
    const list = parts[i - 2];
    return (
      'key' in part &&
      !SAFE_VOLUMES.has(part.key) &&
      item !== undefined &&
      'item' in item &&
      list !== undefined &&
      'key' in list &&
      list.key === 'volumes'
    );
  });
}

function loaderEnv(parts: readonly PathPart[]): boolean {
  const i = parts.findIndex((p) => 'key' in p && p.key === 'env');
  const item = parts[i + 1];
  return i >= 0 && item !== undefined && 'item' in item && LOADER_ENV.test(item.item);
}

/**
 * A pod that holds power (privileged, the node's namespaces, a hostPath, added capabilities)
 * must not be handed new code: what runs there, with what, stays as people set it.
 */
function codeChange(leaf: LeafChange): string | undefined {
  const parts = leaf.parts;
  const at = parts.findIndex((p) => 'key' in p && CONTAINER_LISTS.has(p.key));
  if (at < 0) return undefined;
  const field = parts[at + 2];
  const added = parts.length === at + 2 || field === undefined;
  if (added || ('key' in field && CODE_FIELDS.has(field.key)))
    return 'the pod runs with node-level power, so what runs in it is changed by people only';
  return undefined;
}

/** Whether any pod spec in the object is privileged, shares the node, or mounts its files. */
export function holdsPower(object: unknown): boolean {
  let found = false;
  const visit = (node: unknown, key: string | undefined): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, key);
      return;
    }
    const record = node as Record<string, unknown>;
    if (key === 'securityContext' && record.privileged === true) found = true;
    if (key === 'capabilities' && Array.isArray(record.add) && record.add.length > 0) found = true;
    if (HOST_FIELDS_POWER.some((field) => record[field] === true)) found = true;
    if (key === 'volumes' && record.hostPath !== undefined) found = true;
    for (const [child, value] of Object.entries(record)) visit(value, child);
  };
  visit(object, undefined);
  return found;
}

const HOST_FIELDS_POWER = ['hostPID', 'hostNetwork', 'hostIPC'];
