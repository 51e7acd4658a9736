import type { Binding } from '../config/policy-schema.ts';
import type { Command } from '../queue/command-data.ts';
import { globMatches, mayRun } from './bindings.ts';

/**
 * Where a channel's command may look: which cluster, and which namespaces. Checked by the bot
 * before it enqueues and by the worker again before it reads, since config may change between.
 */
type Scope =
  | { allowed: true; cluster: string; namespaces: readonly string[]; namespace?: string }
  | { allowed: false; reason: string };

export function commandScope(
  command: Command,
  binding: Binding | undefined,
  clusters: readonly string[],
  /** Named in a refusal, so the operator knows what to bind. */
  channel?: string,
): Scope {
  if (command.name === 'help') return { allowed: false, reason: 'help needs no scope' };
  if (binding === undefined) {
    return {
      allowed: false,
      reason: `this channel${channel === undefined ? '' : ` (${channel})`} has no binding, so I can only answer help here. An operator can add one to the config file (COXSWAIN_CONFIG) under bindings: with this channel, the clusters (${clusters.join(', ')}) and namespaces it may see, and who may approve changes.`,
    };
  }
  const cluster = command.cluster ?? binding.clusters[0] ?? '';
  let namespace =
    command.name === 'diagnose' || command.name === 'rollback' || command.name === 'deploy'
      ? command.namespace
      : undefined;
  // A channel bound to exactly one namespace means that one when none is given.
  const only = binding.namespaces.length === 1 ? binding.namespaces[0] : undefined;
  const single = only !== undefined && !/[*?[]/.test(only) ? only : undefined;
  const needsNamespace =
    command.name === 'rollback' || (command.name === 'diagnose' && command.target?.kind !== 'Node');
  if (needsNamespace && namespace === undefined && single !== undefined) namespace = single;
  if (command.name === 'rollback' && namespace === undefined)
    return {
      allowed: false,
      reason: `give the deployment's namespace with -n: this channel may see ${binding.namespaces.join(', ')}`,
    };
  const decision = mayRun(
    binding,
    { cluster, ...(namespace === undefined ? {} : { namespace }) },
    'safe',
  );
  if (!decision.allowed)
    return {
      allowed: false,
      reason: `${decision.reason} (bound: clusters ${binding.clusters.join(', ')}; namespaces ${binding.namespaces.join(', ')})`,
    };
  const everywhere = binding.namespaces.includes('*');
  if (
    command.name === 'diagnose' &&
    namespace === undefined &&
    command.target?.kind !== 'Node' &&
    !everywhere
  ) {
    return {
      allowed: false,
      reason: `give a namespace with -n: this channel may see ${binding.namespaces.join(', ')}`,
    };
  }
  return {
    allowed: true,
    cluster,
    namespaces: binding.namespaces,
    ...(namespace === undefined ? {} : { namespace }),
  };
}

/** Whether a namespace is one the scope may see. */
export function inScope(namespaces: readonly string[], namespace: string | undefined): boolean {
  return namespace === undefined || namespaces.some((glob) => globMatches(glob, namespace));
}
