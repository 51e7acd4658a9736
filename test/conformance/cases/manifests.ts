/** Objects the tables apply, and how kubectl reads several from stdin. */

/** One JSON object after another: kubectl reads such a stream as so many objects. */
export const stream = (...objects: object[]) => objects.map((o) => JSON.stringify(o)).join('\n');

/** A Deployment, StatefulSet or DaemonSet of one container `app`; `spec` adds to or replaces. */
export const workload = (
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet',
  name: string,
  namespace: string,
  { image = 'nginx:1.27', spec = {} }: { image?: string; spec?: Record<string, unknown> } = {},
) => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image }] },
    },
    ...spec,
  },
});
