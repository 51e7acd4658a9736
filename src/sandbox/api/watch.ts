import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkListIntegers, parseResourceVersion } from './query-options.ts';
import type { Target } from './request.ts';
import { statusOf } from './respond.ts';
import { fieldMatcher, labelMatcher } from './selectors.ts';
import { ApiError, type KObject, type ObjectStore, type WatchEvent } from './store.ts';
import { wantsTable, watchRow } from './tables.ts';

/**
 * A watch: the objects (or the changes since a resourceVersion) as JSON lines, then every change
 * as it happens, until the client goes or `timeoutSeconds` passes. A version older than the
 * kept history gets 410 Expired, and the client lists again.
 */
export function serveWatch(
  store: ObjectStore,
  req: IncomingMessage,
  res: ServerResponse,
  target: Target,
  query: URLSearchParams,
): void {
  checkListIntegers(query);
  parseResourceVersion(query.get('resourceVersion'));
  const labels = labelMatcher(query.get('labelSelector') ?? undefined);
  const fields = fieldMatcher(query.get('fieldSelector') ?? undefined, target.type);
  const wanted = (object: KObject) =>
    (target.namespace === undefined || object.metadata.namespace === target.namespace) &&
    labels(object) &&
    fields(object);
  const since = query.get('resourceVersion');
  let backlog: WatchEvent[];
  if (since === null || since === '' || since === '0') {
    backlog = store
      .list(target.type, target.namespace)
      .map((object) => ({ type: 'ADDED', object }));
  } else {
    const changes = store.changesSince(target.type, Number(since));
    if (changes === undefined) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: statusOf(new ApiError(410, 'Expired', `too old resource version: ${since} (${store.resourceVersion})`)) })}\n`,
      );
      return;
    }
    backlog = changes;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  // Answer at once, as the API server does, even when there is nothing to send yet.
  res.flushHeaders();
  // A client that negotiated Tables gets each object as a Table of its one row.
  const asTable = wantsTable(req.headers.accept);
  let headers = true;
  const send = (event: WatchEvent) => {
    if (!wanted(event.object)) return;
    if (!asTable) {
      res.write(`${JSON.stringify(event)}\n`);
      return;
    }
    const object = watchRow(target.type, event.object, headers, store.now().getTime());
    headers = false;
    res.write(`${JSON.stringify({ type: event.type, object })}\n`);
  };
  for (const event of backlog) send(event);
  const stop = store.onChange((g, plural, event) => {
    if (g === target.type.group && plural === target.type.plural) send(event);
  });
  const timeout = Number(query.get('timeoutSeconds') ?? 1800);
  const timer = setTimeout(() => res.end(), Math.min(timeout, 1800) * 1000);
  const finish = () => {
    clearTimeout(timer);
    stop();
  };
  res.on('close', finish);
  req.on('close', finish);
}
