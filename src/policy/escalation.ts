/**
 * Changes that are forbidden whatever the tier, the binding or a workflow says: each would give a
 * workload more power than it had (a privileged container, the node's namespaces or files, another
 * identity) or touch what guards the cluster (RBAC, Secrets, where an Argo CD application deploys
 * from and to). Judged on the fields a change really touches, from the server's dry run, when it
 * is proposed and again right before it is executed.
 */
import { keysOf, type LeafChange, type PathPart, pathText } from './field-path.ts';

const GUARDED_KINDS: Record<string, string> = {
  Secret: 'Secrets are never read or changed by Coxswain',
  ServiceAccount: 'service accounts are identities; changing them is not a fix Coxswain proposes',
  Role: 'RBAC objects decide who may do what; Coxswain never changes them',
  ClusterRole: 'RBAC objects decide who may do what; Coxswain never changes them',
  RoleBinding: 'RBAC objects decide who may do what; Coxswain never changes them',
  ClusterRoleBinding: 'RBAC objects decide who may do what; Coxswain never changes them',
};

const ARGO_GUARDED = new Set(['destination', 'source', 'sources', 'project']);
const IDENTITY_FIELDS = new Set([
  'serviceAccountName',
  'serviceAccount',
  'automountServiceAccountToken',
]);
const HOST_NAMESPACES = new Set(['hostPID', 'hostNetwork', 'hostIPC']);

/** Why the change may not be made, one reason per offending field; empty when none. */
export function escalations(kind: string, leaves: readonly LeafChange[]): string[] {
  const guarded = GUARDED_KINDS[kind];
  if (guarded !== undefined && leaves.length > 0) return [`${kind}: ${guarded}`];
  const reasons = new Set<string>();
  for (const leaf of leaves) {
    const reason = reasonFor(kind, leaf);
    if (reason !== undefined) reasons.add(`${pathText(leaf.parts)}: ${reason}`);
  }
  return [...reasons];
}

function reasonFor(kind: string, leaf: LeafChange): string | undefined {
  const keys = keysOf(leaf.parts);
  const last = keys.at(-1) ?? '';
  const parent = keys.at(-2);
  const { before, after } = leaf;
  if (kind === 'Application' && keys[0] === 'spec' && ARGO_GUARDED.has(keys[1] ?? ''))
    return "an Argo CD application's destination, source and project are not changed by Coxswain";
  if (parent === 'securityContext' && last === 'privileged' && after === true)
    return 'a privileged container has the node';
  if (parent === 'securityContext' && last === 'allowPrivilegeEscalation' && after === true)
    return 'lets a process gain more privileges than its parent';
  if (parent === 'securityContext' && last === 'runAsUser' && after === 0) return 'runs as root';
  if (parent === 'securityContext' && last === 'runAsNonRoot' && after !== true && before === true)
    return 'stops requiring a non-root user';
  if (parent === 'capabilities' && last === 'add' && addsItems(before, after))
    return 'adds Linux capabilities';
  if (HOST_NAMESPACES.has(last) && after === true) return "shares the node's namespaces";
  if (isHostPathVolume(leaf.parts) && after !== undefined) return "mounts the node's files";
  if (IDENTITY_FIELDS.has(last)) return "changes the pods' service account (their identity)";
  return undefined;
}

function addsItems(before: unknown, after: unknown): boolean {
  const had = new Set(Array.isArray(before) ? before.map(String) : []);
  return Array.isArray(after) && after.some((item) => !had.has(String(item)));
}

/** `…volumes[data].hostPath…`, or a whole volume list whose items carry one. */
function isHostPathVolume(parts: readonly PathPart[]): boolean {
  return parts.some((part, i) => {
    const volume = parts[i - 1];
    const list = parts[i - 2];
    return (
      'key' in part &&
      part.key === 'hostPath' &&
      volume !== undefined &&
      'item' in volume &&
      list !== undefined &&
      'key' in list &&
      list.key === 'volumes'
    );
  });
}
