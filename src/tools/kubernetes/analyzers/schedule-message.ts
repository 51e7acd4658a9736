import { MAX_MESSAGE } from './prepare.ts';

/**
 * The scheduler's account of why no node took a pod, read from its structure:
 * `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint
 * {node-role.kubernetes.io/control-plane: }. preemption: …`. Each reason is one filter's verdict
 * with how many nodes it excluded; what comes after `preemption:` is about victims, not causes.
 */
export type SchedulerReason = {
  /** Nodes the reason excluded; for pod-wide reasons (an unbound claim) every node. */
  nodes: number;
  text: string;
  kind: ReasonKind;
  /**
   * The resource (`cpu`), taint (`key=value:`), or claim the reason names, when it names one; for
   * inter-pod rules which: `topology spread`, `affinity` or `anti-affinity`.
   */
  subject?: string;
};

export type ReasonKind =
  | 'insufficient'
  | 'too-many-pods'
  | 'taint'
  | 'node-selector'
  | 'pod-affinity'
  | 'unschedulable-node'
  | 'unbound-claim'
  | 'missing-claim'
  | 'volume-node-affinity'
  | 'host-ports'
  | 'other';

export type SchedulerMessage = { total: number; reasons: SchedulerReason[] };

const HEAD = /^(\d+)\/(\d+) nodes are available:\s*/;

/**
 * The reasons part of a message: before `preemption:`, without its final full stop. Found with
 * `indexOf` and trims, not a regular expression, whatever whitespace the message holds.
 */
function reasonsText(rest: string): string {
  const at = rest.indexOf('preemption:');
  let body = (at === -1 ? rest : rest.slice(0, at)).trimEnd();
  while (body.endsWith('.')) body = body.slice(0, -1).trimEnd();
  return body;
}

export function parseSchedulerMessage(message: string | undefined): SchedulerMessage | undefined {
  if (message === undefined) return undefined;
  const head = HEAD.exec(message);
  if (head === null) return undefined;
  const total = Number(head[2]);
  const reasons = reasonsText(message.slice(head[0].length, MAX_MESSAGE))
    .split(/, (?=\d+ )|\. (?=\d+ )/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => reasonOf(part, total));
  return { total, reasons };
}

function reasonOf(part: string, total: number): SchedulerReason {
  const counted = /^(\d+) (.*)$/.exec(part);
  const nodes = counted === null ? total : Number(counted[1]);
  const text = counted === null ? part : (counted[2] ?? part);
  return { nodes, text, ...classify(text) };
}

function classify(text: string): { kind: ReasonKind; subject?: string } {
  const insufficient = /^Insufficient (\S+)$/.exec(text);
  if (insufficient?.[1] !== undefined) return { kind: 'insufficient', subject: insufficient[1] };
  if (/^Too many pods$/i.test(text)) return { kind: 'too-many-pods' };
  // `had untolerated taint {k: v}` since 1.25; `had taint {k: v}, that the pod didn't tolerate` before.
  const taint = /had (?:untolerated )?taints? \{([^}]*)\}/.exec(text);
  if (taint?.[1] !== undefined) return { kind: 'taint', subject: taint[1].trim() };
  if (/didn't match (?:Pod's )?node (?:affinity|selector)/i.test(text))
    return { kind: 'node-selector' };
  // Which inter-pod rule: the cause names only the one the scheduler names.
  if (/topology spread/i.test(text)) return { kind: 'pod-affinity', subject: 'topology spread' };
  if (/anti-affinity/i.test(text)) return { kind: 'pod-affinity', subject: 'anti-affinity' };
  if (/pod affinity/i.test(text)) return { kind: 'pod-affinity', subject: 'affinity' };
  if (/were unschedulable|node\(s\) were cordoned/i.test(text))
    return { kind: 'unschedulable-node' };
  if (/unbound immediate PersistentVolumeClaims/i.test(text)) return { kind: 'unbound-claim' };
  const missing = /persistentvolumeclaim "([^"]+)" not found/i.exec(text);
  if (missing?.[1] !== undefined) return { kind: 'missing-claim', subject: missing[1] };
  if (/volume node affinity conflict/i.test(text)) return { kind: 'volume-node-affinity' };
  if (/free ports/i.test(text)) return { kind: 'host-ports' };
  return { kind: 'other' };
}

/** A taint as the scheduler prints it (`key: value`) in the `key=value:Effect` form. */
export function taintText(subject: string): { key: string; value: string } {
  const [key = '', ...rest] = subject.split(':');
  return { key: key.trim(), value: rest.join(':').trim() };
}
