import { z } from 'zod';
import type { Cluster } from './cluster.ts';
import { KubernetesError } from './errors.ts';

/**
 * A whole collection read page by page, as kubectl reads a big one: `limit` items a request and
 * the `continue` token the API server gives for the next, all pages from one snapshot of the
 * collection. Items come as the API server sent them (no typed client's models, which cost more
 * to build than the request takes on a large list), each kept only if `schema` accepts it.
 */
const ListPage = z.object({
  items: z
    .array(z.unknown())
    .nullish()
    .transform((items) => items ?? []),
  metadata: z.object({ continue: z.string().optional() }).optional(),
});

export async function listPages<T>(
  cluster: Cluster,
  path: string,
  schema: z.ZodType<T>,
  limit: number,
): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  do {
    const query = { limit: String(limit), ...(next === undefined ? {} : { continue: next }) };
    const page = ListPage.safeParse(await cluster.json('GET', path, { query }));
    if (!page.success) {
      throw new KubernetesError(
        `the API server's list of ${path} is not a list`,
        undefined,
        undefined,
      );
    }
    for (const item of page.data.items) {
      const parsed = schema.safeParse(item);
      if (parsed.success) items.push(parsed.data);
    }
    next = page.data.metadata?.continue || undefined;
  } while (next !== undefined);
  return items;
}
