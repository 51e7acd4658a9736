import { findResource, type ResourceType } from './catalog.ts';
import type { Cluster } from './cluster.ts';
import type { Session } from './remote-command.ts';
import { ApiError, type KObject, notFound } from './store.ts';

/**
 * What `pods/attach` and `pods/exec` do in the sandbox, where no process runs: attach streams
 * the container's stand-in output until that run ends; exec runs its command through the same
 * stand-in interpreter the containers' commands go through, and says so on stderr, with 126 as
 * a shell does for a command it cannot execute, when the stand-in cannot run it.
 */
const PODS = findResource('', 'v1', 'pods') as ResourceType;
/** How often an attached container's output is read again (as a followed log is). */
const POLL_MS = 200;

/** What the stand-in makes of a command: the sandbox's container-command interpreter. */
export type StandIn = (argv: readonly string[]) => {
  output: string[];
  seconds: number | undefined;
  exitCode: number;
  understood: boolean;
};

type PodView = {
  spec?: { nodeName?: string; containers?: { name: string }[] };
  status?: {
    phase?: string;
    containerStatuses?: { name: string; state?: { running?: unknown } }[];
  };
};

export type PodStreamRequest = { namespace: string; name: string; verb: 'attach' | 'exec' };

/** `/api/v1/namespaces/NS/pods/NAME/attach` or `/exec`; undefined for any other path. */
export function podStreamPath(path: string): PodStreamRequest | undefined {
  const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(attach|exec)\/?$/.exec(path);
  if (match === null) return undefined;
  const [, namespace = '', name = '', verb] = match;
  return {
    namespace: decodeURIComponent(namespace),
    name: decodeURIComponent(name),
    verb: verb === 'exec' ? 'exec' : 'attach',
  };
}

export function openPodStream(
  cluster: Cluster,
  standIn: StandIn,
  request: PodStreamRequest,
  query: URLSearchParams,
): Session {
  const pod = cluster.store.get(PODS, request.namespace, request.name);
  if (pod === undefined) throw notFound(PODS, request.name);
  const container = containerOf(pod, query.get('container') ?? '');
  const view = pod as PodView;
  if (view.spec?.nodeName === undefined)
    throw new ApiError(400, 'BadRequest', `pod ${request.name} does not have a host assigned`);
  if (!running(pod, container))
    throw new ApiError(
      400,
      'BadRequest',
      `container ${container} is not running in pod ${request.name} (phase ${view.status?.phase})`,
    );
  if (request.verb === 'attach') return attachSession(cluster, pod, container);
  const command = query.getAll('command');
  if (command.length === 0)
    throw new ApiError(400, 'BadRequest', 'you must specify at least 1 command');
  return execSession(standIn, command, cluster.followLog(pod, container, false));
}

/** The container named, or the only one; the API server's messages otherwise. */
function containerOf(pod: KObject, asked: string): string {
  const names = ((pod as PodView).spec?.containers ?? []).map((c) => c.name);
  const name = pod.metadata.name;
  if (asked !== '') {
    if (!names.includes(asked))
      throw new ApiError(400, 'BadRequest', `container ${asked} is not valid for pod ${name}`);
    return asked;
  }
  if (names.length === 1) return names[0] as string;
  throw new ApiError(
    400,
    'BadRequest',
    `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`,
  );
}

function running(pod: KObject, container: string): boolean {
  const statuses = (pod as PodView).status?.containerStatuses ?? [];
  return statuses.some((s) => s.name === container && s.state?.running !== undefined);
}

/**
 * The run's output so far, then as it comes, until the run ends. The kubelet ends an attach
 * with Success whatever the exit code: `kubectl run` reads that from the pod.
 */
function attachSession(cluster: Cluster, pod: KObject, container: string): Session {
  const source = cluster.followLog(pod, container, false);
  const sent = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  return {
    start(out) {
      const pump = () => {
        const ended = source.ended();
        const fresh = source.lines().filter((l) => !sent.has(`${l.at} ${l.text}`));
        for (const line of fresh) sent.add(`${line.at} ${line.text}`);
        out.stdout(fresh.map((l) => `${l.text}\n`).join(''));
        if (!ended) return;
        stop();
        out.finish(0);
      };
      pump();
      if (!source.ended()) timer = setInterval(pump, POLL_MS);
    },
    stop,
  };
}

/** Exit code of a command killed by SIGKILL, as the runtime kills what runs in a stopped container. */
const KILLED = 137;

/**
 * The command's output and exit code. It runs inside its container's run, so it ends with
 * that run, or its pod, as the runtime kills every process of a container it stops.
 */
function execSession(standIn: StandIn, command: string[], run: { ended(): boolean }): Session {
  let timer: NodeJS.Timeout | undefined;
  let watch: NodeJS.Timeout | undefined;
  const stop = () => {
    if (timer !== undefined) clearTimeout(timer);
    if (watch !== undefined) clearInterval(watch);
    timer = undefined;
    watch = undefined;
  };
  return {
    start(out) {
      const finish = (exitCode: number) => {
        stop();
        out.finish(exitCode, command);
      };
      const script = standIn(command);
      if (!script.understood) {
        out.stderr(
          `coxswain sandbox: the sandbox's stand-in cannot run "${command.join(' ')}"; it runs echo, true, false, exit N, sleep N and sh -c with those\n`,
        );
        finish(126);
        return;
      }
      out.stdout(script.output.map((line) => `${line}\n`).join(''));
      if (script.seconds === 0) {
        finish(script.exitCode);
        return;
      }
      // A command that runs until stopped (`sleep infinity`) keeps the stream open while its
      // container runs.
      if (script.seconds !== undefined)
        timer = setTimeout(() => finish(script.exitCode), script.seconds * 1000);
      watch = setInterval(() => {
        if (run.ended()) finish(KILLED);
      }, POLL_MS);
    },
    stop,
  };
}
