import type { V1Pod } from '@kubernetes/client-node';
import {
  type ContainerContext,
  eventLines,
  podPath,
  terminationLine,
  waitingLine,
} from './container-context.ts';
import type { Confidence, Finding } from './finding.ts';

const CREATE_ERRORS = ['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError'];
const START_ERRORS = ['StartError', 'ContainerCannotRun'];

type ConfigCause = {
  rule: string;
  title: string;
  cause: string;
  confidence: Confidence;
};

/**
 * A container the kubelet cannot create or start from its configuration: a ConfigMap, Secret
 * or key it refers to is missing, a subPath cannot be mounted, its command is not in the image,
 * or the image runs as root where the pod forbids it. The kubelet's waiting message (or the
 * runtime's, in the last termination) states it.
 */
export function containerConfig(context: ContainerContext): Finding | undefined {
  const message = configMessage(context);
  if (message === undefined) return undefined;
  const found = configCause(context, message.text);
  return {
    rule: found.rule,
    severity: 'critical',
    object: context.ref,
    title: found.title,
    cause: found.cause,
    confidence: found.confidence,
    confidenceReason: `the kubelet's ${message.reason} message states it`,
    evidence: [
      waitingLine(context) ?? terminationLine(context) ?? '',
      ...referenceLines(context, message.text),
      ...eventLines(context, ['Failed', 'FailedMount']),
    ],
  };
}

function configMessage(context: ContainerContext): { reason: string; text: string } | undefined {
  const waiting = context.status.state?.waiting;
  if (waiting?.reason !== undefined && CREATE_ERRORS.includes(waiting.reason))
    return { reason: waiting.reason, text: waiting.message ?? '' };
  const ended = context.status.lastState?.terminated ?? context.status.state?.terminated;
  if (ended?.reason !== undefined && START_ERRORS.includes(ended.reason))
    return { reason: ended.reason, text: ended.message ?? '' };
  return undefined;
}

function configCause(context: ContainerContext, text: string): ConfigCause {
  const { where } = context;
  const key = /couldn't find key (\S+) in (ConfigMap|Secret) ([^\s/]+)\/(\S+)/i.exec(text);
  if (key !== null) {
    const kind = key[2]?.toLowerCase();
    return {
      rule: 'missing-reference/key',
      title: `${where} refers to key ${key[1]} of ${kind} ${key[4]}, which does not exist`,
      cause: `${kind} ${key[3]}/${key[4]} has no key ${key[1]}: add the key, or fix the reference`,
      confidence: 'certain',
    };
  }
  const missing = /(configmap|secret) "([^"]+)" not found/i.exec(text);
  if (missing !== null) {
    const kind = missing[1]?.toLowerCase() ?? 'configmap';
    return {
      rule: `missing-reference/${kind}`,
      title: `${where} refers to ${kind} ${missing[2]}, which does not exist`,
      cause: `${kind} ${missing[2]} does not exist in namespace ${context.ref.namespace ?? '(unknown)'}: create it, or fix the reference`,
      confidence: 'certain',
    };
  }
  return runtimeCause(context, text);
}

function runtimeCause(context: ContainerContext, text: string): ConfigCause {
  const { where } = context;
  const command =
    /exec: "([^"]+)": (?:executable file not found in \$PATH|stat [^:]+: no such file or directory)/.exec(
      text,
    );
  if (command !== null)
    return {
      rule: 'container-config/command-not-found',
      title: `${where} cannot start: its command ${command[1]} is not in the image`,
      cause: `the command ${command[1]} is not found in the image: fix command or args, or the image's PATH`,
      confidence: 'certain',
    };
  const exec = /exec: "([^"]+)": permission denied/.exec(text);
  if (exec !== null)
    return {
      rule: 'container-config/not-executable',
      title: `${where} cannot start: its command ${exec[1]} is not executable`,
      cause: `the command ${exec[1]} is not executable in the image: set its execute bit, or run it through its interpreter`,
      confidence: 'certain',
    };
  const subPath = /subPath|volume-subpaths|mount a directory onto a file|not a directory/i.exec(
    text,
  );
  if (subPath !== null)
    return {
      rule: 'container-config/subpath',
      title: `${where} cannot be created: a volume mount with subPath fails`,
      cause: `a volumeMount's subPath cannot be mounted: the key or path it names is missing from the volume, or a file is mounted onto a directory (or the reverse): ${text}`,
      confidence: 'likely',
    };
  if (/runAsNonRoot/.test(text))
    return {
      rule: 'container-config/run-as-non-root',
      title: `${where} is not started: its image runs as root and the pod requires non-root`,
      cause: `securityContext.runAsNonRoot is set but the image's user is root or not numeric: set runAsUser to a non-zero uid, or use an image with a numeric non-root USER`,
      confidence: 'certain',
    };
  return {
    rule: 'container-config',
    title: `${where} cannot be created`,
    cause: `the kubelet cannot create the container: ${text || '(no message)'}`,
    confidence: 'likely',
  };
}

/** Where the pod's spec refers to the ConfigMap or Secret the message names. */
function referenceLines(context: ContainerContext, text: string): string[] {
  const named =
    /(configmap|secret) "([^"]+)" not found/i.exec(text) ??
    /in (ConfigMap|Secret) [^\s/]+\/(\S+)/i.exec(text);
  if (named === null) return [];
  const kind = named[1]?.toLowerCase() === 'secret' ? 'secret' : 'configmap';
  return referencesTo(context.pod, context.status.name, kind, named[2] ?? '').map(
    (field) => `${podPath(context.ref)} ${field}: ${named[2]}`,
  );
}

/** Field paths in the pod spec that refer to a ConfigMap or Secret by name. */
export function referencesTo(
  pod: V1Pod,
  container: string,
  kind: 'configmap' | 'secret',
  name: string,
): string[] {
  const spec = pod.spec;
  const found: string[] = [];
  const lists = [
    ['containers', spec?.containers ?? []],
    ['initContainers', spec?.initContainers ?? []],
  ] as const;
  for (const [list, containers] of lists) {
    for (const c of containers) {
      if (c?.name !== container) continue;
      const base = `spec.${list}[${container}]`;
      const keyRef = kind === 'configmap' ? 'configMapKeyRef' : 'secretKeyRef';
      for (const env of c.env ?? []) {
        if (env.valueFrom?.[keyRef]?.name === name)
          found.push(`${base}.env[${env.name}].valueFrom.${keyRef}`);
      }
      for (const [i, from] of (c.envFrom ?? []).entries()) {
        const ref = kind === 'configmap' ? from.configMapRef : from.secretRef;
        if (ref?.name === name) found.push(`${base}.envFrom[${i}]`);
      }
    }
  }
  for (const volume of spec?.volumes ?? []) {
    const ref = kind === 'configmap' ? volume?.configMap?.name : volume?.secret?.secretName;
    if (ref === name) found.push(`spec.volumes[${volume.name}]`);
  }
  return found;
}
