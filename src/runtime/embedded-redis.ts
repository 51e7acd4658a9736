import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { CoxswainError } from '../errors.ts';

export type EmbeddedRedis = {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
};

const READY_TIMEOUT_MS = 10_000;

/**
 * A private `redis-server` on a free loopback port, keeping nothing on disk, for the demo and
 * for tests that stop and restart Redis. It runs in its own process group so that Ctrl-C reaches
 * only us, and we stop it last, after everything that uses it.
 */
export async function startEmbeddedRedis(options: { port?: number } = {}): Promise<EmbeddedRedis> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      tmpdir(),
      '--loglevel',
      'warning',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  try {
    await waitForRedis(child, port, () => stderr);
  } catch (error) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    async stop() {
      process.off('exit', killOnExit);
      await stopChild(child);
    },
  };
}

async function waitForRedis(
  child: ChildProcess,
  port: number,
  stderr: () => string,
): Promise<void> {
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new CoxswainError(
            'redis_server_missing',
            "redis-server was not found on PATH: install Debian's redis-server package (apt-get install redis-server), or set REDIS_URL to a running Redis",
            { cause: error },
          ),
        );
      } else {
        reject(
          new CoxswainError(
            'redis_server_failed',
            `redis-server could not start: ${error.message}`,
            { cause: error },
          ),
        );
      }
    });
    child.once('exit', (code) => {
      reject(
        new CoxswainError(
          'redis_server_failed',
          `redis-server exited with code ${code}: ${stderr().trim()}`,
        ),
      );
    });
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // Set when start-up has failed, so the polling stops instead of holding the process open.
  let gaveUp = false;
  const ready = (async () => {
    while (Date.now() < deadline && !gaveUp) {
      if (await answersPing(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new CoxswainError(
      'redis_server_failed',
      `redis-server did not answer on port ${port} within 10 s`,
    );
  })();
  // Once ready, a later exit (our own stop) is no longer a start-up failure.
  failed.catch(() => undefined);
  ready.catch(() => undefined);
  try {
    await Promise.race([ready, failed]);
  } finally {
    gaveUp = true;
  }
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited within 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
