import type { CoreV1Event } from '@kubernetes/client-node';
import { z } from 'zod';
import { defineTool, namespaceScope } from '../../tool.ts';
import type { KubeContext } from '../context.ts';
import { Namespace } from '../context.ts';
import { wrapKubernetesError } from '../errors.ts';
import { age, columns, limited, time } from '../format.ts';

const MAX_EVENTS = 40;

export const listEvents = defineTool({
  name: 'events',
  description:
    'Events of a namespace, or of one object (kind and name), newest first: scheduling failures, back-offs, probe failures, image pulls, scaling.',
  verb: 'list',
  scope: (input) => namespaceScope(input.namespace),
  input: z.object({
    namespace: Namespace,
    kind: z.string().max(63).optional().describe('Kind of the object, e.g. Pod or Deployment'),
    name: z.string().max(253).optional().describe('Name of the object'),
    warningsOnly: z.boolean().default(false).describe('Only Warning events'),
  }),
  async run({ cluster }: KubeContext, input) {
    const fields = [
      ...(input.kind ? [`involvedObject.kind=${input.kind}`] : []),
      ...(input.name ? [`involvedObject.name=${input.name}`] : []),
      ...(input.warningsOnly ? ['type=Warning'] : []),
    ];
    const list = await cluster.core
      .listNamespacedEvent({
        namespace: input.namespace,
        ...(fields.length ? { fieldSelector: fields.join(',') } : {}),
      })
      .catch((error: unknown) => {
        throw wrapKubernetesError(error, {
          verb: 'list',
          resource: 'events',
          namespace: input.namespace,
        });
      });
    const about = input.name ? ` about ${input.kind ?? 'object'} ${input.name}` : '';
    if (list.items.length === 0) return `no events${about} in namespace ${input.namespace}`;
    return `events${about} in ${input.namespace}, newest first:\n${formatEvents(list.items, true)}`;
  },
});

export function formatEvents(events: readonly CoreV1Event[], withObject: boolean): string {
  const sorted = [...events].sort((a, b) => lastSeen(b) - lastSeen(a));
  const { shown, note } = limited(sorted, MAX_EVENTS, 'events');
  const rows = shown.map((e) => [
    age(new Date(lastSeen(e))),
    e.type ?? '',
    e.reason ?? '',
    ...(withObject
      ? [`${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name ?? ''}`]
      : []),
    `${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`,
  ]);
  return (
    columns(['LAST SEEN', 'TYPE', 'REASON', ...(withObject ? ['OBJECT'] : []), 'MESSAGE'], rows) +
    note
  );
}

function lastSeen(e: CoreV1Event): number {
  return time(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp);
}
