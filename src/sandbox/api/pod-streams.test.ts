import { describe, expect, it, vi } from 'vitest';
import { interpret } from '../simulator/container-command.ts';
import { findResource, type ResourceType } from './catalog.ts';
import type { Cluster } from './cluster.ts';
import { openPodStream, podStreamPath } from './pod-streams.ts';
import { exitStatus, type StreamOut } from './remote-command.ts';
import { ApiError, ObjectStore } from './store.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceType;

function cluster(running: boolean, runEnded: () => boolean = () => true): Cluster {
  const store = new ObjectStore();
  store.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'busybox' }] },
    status: {
      phase: running ? 'Running' : 'Succeeded',
      containerStatuses: [
        { name: 'app', state: running ? { running: {} } : { terminated: { exitCode: 0 } } },
      ],
    },
  });
  return {
    store,
    catchUp: () => {},
    logs: () => [],
    followLog: () => ({ lines: () => [{ at: 1, text: 'ready' }], ended: runEnded }),
    podMetrics: () => [],
    nodeMetrics: () => [],
  };
}

function recorder() {
  const seen = { stdout: '', stderr: '', exit: undefined as number | undefined };
  const out: StreamOut = {
    stdout: (text) => {
      seen.stdout += text;
    },
    stderr: (text) => {
      seen.stderr += text;
    },
    finish: (code) => {
      seen.exit = code;
    },
  };
  return { seen, out };
}

function request(name: string, verb: string) {
  const parsed = podStreamPath(`/api/v1/namespaces/shop/pods/${name}/${verb}`);
  if (parsed === undefined) throw new Error(`not a pod stream: ${name}/${verb}`);
  return parsed;
}

const exec = (...command: string[]) =>
  new URLSearchParams(command.map((c) => ['command', c] as [string, string]));

function refusal(run: () => unknown): { status: number; message: string } | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, message: error.message };
  }
  return undefined;
}

describe('pods/exec and pods/attach in the sandbox', () => {
  it('reads the pod and the verb from the path', () => {
    expect(podStreamPath('/api/v1/namespaces/shop/pods/web/exec')).toEqual({
      namespace: 'shop',
      name: 'web',
      verb: 'exec',
    });
    expect(podStreamPath('/api/v1/namespaces/shop/pods/web/portforward')).toBeUndefined();
  });

  it('runs what the stand-in understands, with its output and exit code', () => {
    const { seen, out } = recorder();

    openPodStream(
      cluster(true),
      interpret,
      request('web', 'exec'),
      exec('sh', '-c', 'echo hi; exit 3'),
    ).start(out);

    expect(seen).toEqual({ stdout: 'hi\n', stderr: '', exit: 3 });
  });

  it('answers 126 with the reason on stderr for a command the stand-in cannot run', () => {
    const { seen, out } = recorder();

    openPodStream(cluster(true), interpret, request('web', 'exec'), exec('ls', '-l')).start(out);

    expect(seen.exit).toBe(126);
    expect(seen.stderr).toContain(`the sandbox's stand-in cannot run "ls -l"`);
  });

  it('attaches to a run and ends with Success once the run is over', () => {
    const { seen, out } = recorder();

    openPodStream(cluster(true), interpret, request('web', 'attach'), new URLSearchParams()).start(
      out,
    );

    expect(seen).toEqual({ stdout: 'ready\n', stderr: '', exit: 0 });
  });

  it('ends a command that runs until stopped with 137 once its container’s run ends', () => {
    vi.useFakeTimers();
    try {
      let ended = false;
      const { seen, out } = recorder();
      openPodStream(
        cluster(true, () => ended),
        interpret,
        request('web', 'exec'),
        exec('sleep', 'infinity'),
      ).start(out);
      vi.advanceTimersByTime(5_000);
      const before = seen.exit;

      ended = true;
      vi.advanceTimersByTime(1_000);

      expect(before).toBeUndefined();
      expect(seen.exit).toBe(137);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a missing pod, an unknown container and a container that is not running', () => {
    const path = request('web', 'exec');
    const missing = request('gone', 'exec');

    expect(refusal(() => openPodStream(cluster(true), interpret, missing, exec('true')))).toEqual({
      status: 404,
      message: 'pods "gone" not found',
    });
    expect(
      refusal(() =>
        openPodStream(
          cluster(true),
          interpret,
          path,
          new URLSearchParams({ container: 'db', command: 'true' }),
        ),
      ),
    ).toEqual({ status: 400, message: 'container db is not valid for pod web' });
    expect(
      refusal(() => openPodStream(cluster(false), interpret, path, exec('true')))?.status,
    ).toBe(400);
  });

  it('writes a failed command as the kubelet does, its exit code as a cause', () => {
    expect(exitStatus(0)).toEqual({ metadata: {}, status: 'Success' });
    expect(exitStatus(2, ['false'])).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    });
  });
});
