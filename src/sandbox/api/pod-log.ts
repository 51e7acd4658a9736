import type { ServerResponse } from 'node:http';
import { findResource, type ResourceType } from './catalog.ts';
import type { Cluster } from './cluster.ts';
import type { Target } from './request.ts';
import { sendText } from './respond.ts';

/**
 * A pod's `log` subresource: the lines so far, or with `follow=true` the lines as the container
 * writes them, until that run of the container ends or the client goes.
 */
const PODS = findResource('', 'v1', 'pods') as ResourceType;
/** How often a followed log is read again for new lines (the kubelet waits on the file). */
const FOLLOW_EVERY_MS = 200;

type Line = { at: number; text: string };

/** The lines a request's `sinceSeconds`, `sinceTime` and `tailLines` keep. */
export function selectLines(lines: Line[], query: URLSearchParams, now: number): Line[] {
  let out = lines;
  const since = query.get('sinceSeconds');
  const sinceTime = query.get('sinceTime');
  if (since !== null) out = out.filter((l) => l.at >= now - Number(since) * 1000);
  if (sinceTime !== null) out = out.filter((l) => l.at >= Date.parse(sinceTime));
  const tail = query.get('tailLines');
  if (tail !== null) out = Number(tail) === 0 ? [] : out.slice(-Number(tail));
  return out;
}

/** The lines as the kubelet writes them, each with its RFC 3339 time first when asked. */
export function formatLines(lines: Line[], timestamps: boolean): string {
  return lines
    .map((l) => `${timestamps ? `${new Date(l.at).toISOString()} ` : ''}${l.text}\n`)
    .join('');
}

function keyOf(line: Line): string {
  return `${line.at} ${line.text}`;
}

export function serveLog(
  simulator: Cluster,
  res: ServerResponse,
  target: Target,
  query: URLSearchParams,
): void {
  const pod = simulator.store.mustGet(PODS, target.namespace, target.name ?? '');
  const container = query.get('container') ?? undefined;
  const previous = query.get('previous') === 'true';
  const stamps = query.get('timestamps') === 'true';
  const limit = query.get('limitBytes');
  const now = simulator.store.now().getTime();
  if (query.get('follow') !== 'true') {
    const lines = selectLines(simulator.logs(pod, container, previous), query, now);
    let text = formatLines(lines, stamps);
    if (limit !== null) text = Buffer.from(text).subarray(0, Number(limit)).toString();
    sendText(res, 200, text);
    return;
  }
  const source = simulator.followLog(pod, container, previous);
  const all = source.lines();
  // Lines are known by content, not by time: a run's last words are dated just before its end,
  // which can be earlier than a line already sent while it ran.
  const sent = new Set(all.map(keyOf));
  let room = limit === null ? Number.POSITIVE_INFINITY : Number(limit);
  res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  const write = (lines: Line[]): boolean => {
    const bytes = Buffer.from(formatLines(lines, stamps));
    if (bytes.length > 0) res.write(bytes.subarray(0, Math.min(bytes.length, room)));
    room -= bytes.length;
    return room > 0;
  };
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    if (!res.writableEnded) res.end();
  };
  res.once('close', finish);
  if (!write(selectLines(all, query, now)) || source.ended()) {
    finish();
    return;
  }
  timer = setInterval(() => {
    const ended = source.ended();
    const fresh = source.lines().filter((l) => !sent.has(keyOf(l)));
    for (const line of fresh) sent.add(keyOf(line));
    if (!write(fresh) || ended) finish();
  }, FOLLOW_EVERY_MS);
}
