import { z } from 'zod';
import { defineTool, namespaceScope } from '../../tool.ts';
import type { KubeContext } from '../context.ts';
import { Name, Namespace } from '../context.ts';
import { wrapKubernetesError } from '../errors.ts';

export const podLogs = defineTool({
  name: 'pod_logs',
  description:
    "Read a container's log: the last lines, optionally of the previous (crashed) container or since some seconds. Credentials in log lines are redacted.",
  verb: 'logs',
  scope: (input) => namespaceScope(input.namespace),
  input: z.object({
    namespace: Namespace,
    pod: Name.describe('Pod name'),
    container: z
      .string()
      .max(63)
      .optional()
      .describe('Container name; needed when the pod has several'),
    previous: z
      .boolean()
      .default(false)
      .describe('Read the previous, terminated container (after a crash)'),
    tail: z.number().int().min(1).max(500).default(100).describe('How many lines from the end'),
    sinceSeconds: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .optional()
      .describe('Only lines newer than this'),
  }),
  async run({ cluster }: KubeContext, input) {
    const text = await cluster.core
      .readNamespacedPodLog({
        name: input.pod,
        namespace: input.namespace,
        previous: input.previous,
        tailLines: input.tail,
        ...(input.container === undefined ? {} : { container: input.container }),
        ...(input.sinceSeconds === undefined ? {} : { sinceSeconds: input.sinceSeconds }),
      })
      .catch((error: unknown) => {
        throw wrapKubernetesError(error, {
          verb: 'read logs of',
          resource: 'pod',
          namespace: input.namespace,
          name: input.pod,
        });
      });
    const lines = String(text)
      .split('\n')
      .filter((l) => l !== '');
    const which = `${input.previous ? 'previous ' : ''}container${input.container ? ` ${input.container}` : ''} of pod ${input.pod}`;
    if (lines.length === 0)
      return `the ${which} has written nothing${input.sinceSeconds ? ` in the last ${input.sinceSeconds}s` : ''}`;
    // Log lines are long-tailed; clip each so one runaway line cannot fill the output.
    return `last ${lines.length} lines of the ${which}:\n${lines.map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join('\n')}`;
  },
});
