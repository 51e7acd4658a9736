import type { ImageBehaviour } from '../scenario.ts';
import type { Instance } from './kubelet.ts';

export type LogLine = { at: number; text: string };

/** One run's log as it grows: every line so far, and whether the run is over. */
export type LogSource = { lines(): LogLine[]; ended(): boolean };

const MAX_HEARTBEATS = 500;

/**
 * The lines one run of a container wrote: its start-up lines, a heartbeat while it runs, and its
 * last words before it exited or was killed. Generated when read, from the run's start and end.
 */
export function logLines(
  instance: Instance,
  behaviour: ImageBehaviour | undefined,
  now: number,
  pod: string,
): LogLine[] {
  if (behaviour === undefined) return [];
  const fill = (text: string, at: number) =>
    text.replaceAll('{pod}', pod).replaceAll('{time}', new Date(at).toISOString());
  const end = instance.endedAt ?? now;
  const lines: LogLine[] = behaviour.logs.map((text, i) => {
    const at = instance.startedAt + (i + 1) * 150;
    return { at, text: fill(text, at) };
  });
  const crash = instance.endedAt === undefined ? [] : behaviour.crashLogs;
  const quiet = end - crash.length * 200;
  if (behaviour.heartbeat !== undefined) {
    const every = behaviour.every * 1000;
    const first = instance.startedAt + every;
    const count = Math.max(0, Math.floor((quiet - first) / every) + 1);
    for (let i = Math.max(0, count - MAX_HEARTBEATS); i < count; i++) {
      const at = first + i * every;
      lines.push({ at, text: fill(behaviour.heartbeat, at) });
    }
  }
  crash.forEach((text, i) => {
    const at = end - (crash.length - i) * 200;
    lines.push({ at, text: fill(text, at) });
  });
  return lines.filter((line) => line.at <= now).sort((a, b) => a.at - b.at);
}
