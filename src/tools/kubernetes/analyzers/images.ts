import {
  type ContainerContext,
  eventLines,
  eventMessages,
  podPath,
  waitingLine,
} from './container-context.ts';
import { tlsFailure } from './crash-cause.ts';
import type { Confidence, Finding } from './finding.ts';

const IMAGE_PULL = ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull'];

type PullCause = { kind: string; cause: string; confidence: Confidence };

/**
 * A container whose image cannot be pulled, by cause: the registry's answer in the kubelet's
 * `Failed` events ("Failed to pull image …: … not found") or the waiting message, and what to
 * check on the pod for it (its imagePullSecrets, the image reference, the node's architecture).
 */
export function imagePull(context: ContainerContext): Finding | undefined {
  const waiting = context.status.state?.waiting;
  if (waiting?.reason === undefined || !IMAGE_PULL.includes(waiting.reason)) return undefined;
  const image = context.status.image || context.spec?.image || '(unknown image)';
  const messages = [
    waiting.message ?? '',
    ...eventMessages(context, 'Failed').filter((m) => /^Failed to pull image/i.test(m)),
  ];
  const found = pullCause(waiting.reason, messages, secretsNote(context), image);
  return {
    rule: found === undefined ? 'image-pull' : `image-pull/${found.kind}`,
    severity: 'critical',
    object: context.ref,
    title: `${context.where} cannot pull its image ${image}`,
    cause:
      found?.cause ??
      `could not determine why the image ${image} cannot be pulled (checked: the waiting reason ${waiting.reason}, its message and the Failed events, which give no registry answer)`,
    confidence: found?.confidence ?? 'unsure',
    confidenceReason:
      found === undefined
        ? 'the container waits for its image but no message says why the pull fails'
        : "the registry's answer in the kubelet's message",
    evidence: [
      waitingLine(context) ?? '',
      `${context.specField}.image: ${image}`,
      `${podPath(context.ref)} spec.imagePullSecrets: ${pullSecrets(context).join(', ') || 'none'}`,
      ...eventLines(context, ['Failed', 'BackOff']),
    ],
  };
}

function pullCause(
  reason: string,
  messages: readonly string[],
  secrets: string,
  image: string,
): PullCause | undefined {
  const text = messages.join('\n');
  if (reason === 'InvalidImageName' || /invalid reference format|couldn't parse image/i.test(text))
    return {
      kind: 'invalid-name',
      cause: `the image reference ${image} is not a valid name (upper-case letters, spaces or a bad tag): fix it in the workload`,
      confidence: 'certain',
    };
  if (reason === 'ErrImageNeverPull')
    return {
      kind: 'never-pull',
      cause: `imagePullPolicy is Never and the image ${image} is not on the node`,
      confidence: 'certain',
    };
  if (/toomanyrequests|429 Too Many Requests|rate limit/i.test(text))
    return {
      kind: 'rate-limited',
      cause: `the registry refuses the pull for its rate limit (429 Too Many Requests): pull with credentials (${secrets}), or from a mirror`,
      confidence: 'certain',
    };
  const platform = /no matching manifest for ([\w/]+)|no match for platform in manifest/i.exec(
    text,
  );
  if (platform !== null)
    return {
      kind: 'wrong-architecture',
      cause: `the image ${image} has no build for the node's platform${platform[1] ? ` (${platform[1]})` : ''}: build it for that architecture, or schedule it on nodes of one it has`,
      confidence: 'certain',
    };
  const tls = tlsFailure(text);
  if (tls !== undefined)
    return {
      kind: 'tls',
      cause: `the node does not trust the registry's TLS certificate for ${image} (${tls}): add the registry's CA to the nodes' container runtime, or fix the registry's certificate`,
      confidence: 'certain',
    };
  return accessCause(text, secrets, image);
}

/** Not found, refused for credentials, or either (Docker Hub says one for both). */
function accessCause(text: string, secrets: string, image: string): PullCause | undefined {
  if (/pull access denied|repository does not exist or may require/i.test(text))
    return {
      kind: 'not-found-or-unauthorized',
      cause: `the registry denies ${image}: the repository does not exist or needs credentials (${secrets}); check the name and the pull secret`,
      confidence: 'likely',
    };
  if (/unauthorized|authentication required|\b401\b|\b403\b|forbidden|denied/i.test(text))
    return {
      kind: 'unauthorized',
      cause: `the registry refuses to serve ${image} without valid credentials (${secrets}): check that the pull secret exists, is in the pod's namespace and holds a token for this registry`,
      confidence: 'certain',
    };
  if (/manifest unknown|not found|NotFound|does not exist|name unknown/i.test(text))
    return {
      kind: 'not-found',
      cause: `the image ${image} does not exist in its registry: check the repository name and the tag`,
      confidence: 'certain',
    };
  return undefined;
}

function pullSecrets(context: ContainerContext): string[] {
  return (context.pod.spec?.imagePullSecrets ?? []).map((s) => s.name ?? '(unnamed)');
}

function secretsNote(context: ContainerContext): string {
  const secrets = pullSecrets(context);
  return secrets.length === 0
    ? 'the pod has no imagePullSecrets'
    : `the pod's imagePullSecrets: ${secrets.join(', ')}`;
}
