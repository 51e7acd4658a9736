import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Copy,
  DockerfileParser,
  type Instruction,
  type JSONInstruction,
} from 'dockerfile-ast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * deploy/Dockerfile, read with a Dockerfile parser (there is no container engine here), and the
 * image's contents put together as its stages would: the compiled dist/ built from a copy of
 * the build stage's context, the production dependencies alone, prompts and workflows, and the
 * `coxswain` command on the PATH. The compiled entry must start from that layout.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8'));

type Stage = { name: string | null; image: string; instructions: Instruction[] };

function stages(): Stage[] {
  const found: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', , name = null] = instruction
        .getExpandedArguments()
        .map((a) => a.getValue());
      found.push({ name, image, instructions: [] });
    } else found.at(-1)?.instructions.push(instruction);
  }
  return found;
}

const args = (instruction: Instruction) => instruction.getArguments().map((a) => a.getValue());
const of = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
const finalStage = () => stages().at(-1) as Stage;

describe('deploy/Dockerfile', () => {
  it('builds in its own stages and runs on a pinned Node 24 slim image', () => {
    const all = stages();

    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.slice(0, -1).every((stage) => stage.name !== null)).toBe(true);
    for (const stage of all) {
      expect(stage.image).toMatch(
        /^node:24\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/,
      );
    }
  });

  it('compiles with the dev dependencies and ships only the production ones', () => {
    const build = stages().find((stage) =>
      of(stage, 'RUN').some((r) => args(r).join(' ') === 'npm run build'),
    );
    const runs = stages().flatMap((stage) => of(stage, 'RUN').map((r) => args(r).join(' ')));

    expect(build?.name).not.toBeNull();
    expect(runs.some((run) => /\bnpm ci\b/.test(run) && !run.includes('--omit=dev'))).toBe(true);
    expect(runs.some((run) => /\bnpm ci\b.*--omit=dev/.test(run))).toBe(true);
  });

  it('runs as a numeric non-root user, with coxswain as the entrypoint', () => {
    const users = of(finalStage(), 'USER').map((user) => args(user).join(' '));
    const entrypoint = of(finalStage(), 'ENTRYPOINT')[0] as JSONInstruction | undefined;

    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^[1-9]\d*:\d+$/);
    expect(entrypoint?.getJSONStrings().map((s) => s.getJSONValue())).toEqual(['coxswain']);
  });

  it('copies dist, prompts, workflows and the production node_modules into the final stage', () => {
    const copies = of(finalStage(), 'COPY').map((copy) => ({
      from: (copy as Copy).getFromFlag()?.getValue() ?? null,
      paths: args(copy).filter((arg) => !arg.startsWith('--')),
    }));
    const copied = (dest: string) => copies.find((c) => c.paths.at(-1) === dest);

    expect(copied('./dist')?.from).not.toBeNull();
    expect(copied('./node_modules')?.from).not.toBeNull();
    expect(copied('./prompts')).toEqual({ from: null, paths: ['prompts', './prompts'] });
    expect(copied('./workflows')).toEqual({ from: null, paths: ['workflows', './workflows'] });
    expect(copied('./package.json')?.from ?? copied('./')?.from).toBeNull();
  });

  it('sends what it copies in the build context, and keeps local secrets and builds out', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('!'))
      .map((line) => line.replace(/^\/|\/$/g, ''));
    const sources = stages().flatMap((stage) =>
      of(stage, 'COPY')
        .filter((copy) => (copy as Copy).getFromFlag() === null)
        .flatMap((copy) =>
          args(copy)
            .filter((a) => !a.startsWith('--'))
            .slice(0, -1),
        ),
    );

    expect(sources.filter((source) => ignored.includes(source.split('/')[0] ?? ''))).toEqual([]);
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.git', '.env']));
  });

  it('fetches nothing by URL and has no step that depends on the CPU', () => {
    const text = dockerfile
      .getInstructions()
      .map((instruction) => `${instruction.getKeyword()} ${args(instruction).join(' ')}`);

    expect(of(finalStage(), 'ADD')).toEqual([]);
    expect(text.filter((line) => /^ADD .*:\/\//.test(line))).toEqual([]);
    expect(
      text.filter((line) => /amd64|arm64|x86_64|aarch64|uname|--print-architecture/.test(line)),
    ).toEqual([]);
  });
});

/** Every top-level package directory that `npm ci --omit=dev` would install. */
function productionPackages(): string[] {
  const paths = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((path) => path.startsWith(join(ROOT, 'node_modules')));
  return paths.filter(
    (path) => !paths.some((other) => other !== path && path.startsWith(`${other}/`)),
  );
}

/** Where each stage's WORKDIR lands in the temporary layout. */
type Roots = Record<string, { workdir: string; dir: string }>;

/** The final stage's COPY steps, applied to the temporary layout. */
function assembleRuntime(roots: Roots, app: string): void {
  for (const copy of of(finalStage(), 'COPY')) {
    const from = (copy as Copy).getFromFlag()?.getValue();
    const [source = '', dest = ''] = args(copy)
      .filter((arg) => !arg.startsWith('--'))
      .slice(-2);
    const root = from === undefined || from === null ? undefined : roots[from];
    const path =
      root === undefined ? join(ROOT, source) : join(root.dir, relative(root.workdir, source));
    cpSync(
      path,
      dest.endsWith('/') ? join(app, dest, source.split('/').at(-1) ?? '') : join(app, dest),
      {
        recursive: true,
        verbatimSymlinks: true,
      },
    );
  }
}

/** /readyz's status once it is 200, or the last one when the process exits or 20 s pass. */
async function readyStatus(port: number, child: ChildProcess): Promise<number> {
  let ready = 0;
  for (let i = 0; i < 100 && ready !== 200 && child.exitCode === null; i++) {
    ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return ready;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('the image contents', () => {
  let dir = '';
  let bin = '';
  const prefix = testPrefix();
  const run = (argv: string[], env: Record<string, string> = {}) =>
    execFileSync(join(bin, 'coxswain'), argv, {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir, ...env },
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coxswain-image-'));
    const build = join(dir, 'build');
    const deps = join(dir, 'deps', 'node_modules');
    // The build stage: its context files, the dev dependencies (npm ci), `npm run build`.
    for (const name of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      '.ci/build.mjs',
      'src',
    ])
      cpSync(join(ROOT, name), join(build, name), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(build, 'node_modules'));
    execFileSync('npm', ['run', 'build'], { cwd: build, stdio: 'pipe' });
    // The deps stage: the production dependencies alone, linked rather than copied.
    mkdirSync(deps, { recursive: true });
    for (const path of productionPackages()) {
      const target = join(deps, relative(join(ROOT, 'node_modules'), path));
      mkdirSync(dirname(target), { recursive: true });
      execFileSync('cp', ['-al', path, target]);
    }
    const app = join(dir, 'app');
    mkdirSync(app);
    assembleRuntime(
      { build: { workdir: '/src', dir: build }, deps: { workdir: '/app', dir: join(dir, 'deps') } },
      app,
    );
    // RUN ln -s /app/dist/main/entry.js /usr/local/bin/coxswain
    bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(join(app, 'dist/main/entry.js'), join(bin, 'coxswain'));
  }, 120_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropPrefix(testRedisUrl(), prefix);
  });

  it('starts the compiled entry through the coxswain command', () => {
    const help = run(['--help']);
    const workflows = run(['workflow', 'list']);

    expect(help).toContain('Usage: coxswain <command>');
    expect(workflows).toMatch(/pod-crashloop\s+alert/);
    // Shown relative to the working directory.
    expect(workflows).toContain('app/workflows/incidents/pod-crashloop.yaml');
  });

  it('runs a worker with the prompts and workflows of the ConfigMaps until it is ready', async () => {
    const port = await freePort();
    const child = spawn(join(bin, 'coxswain'), ['worker'], {
      cwd: dir,
      env: {
        PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: dir,
        REDIS_URL: testRedisUrl(),
        REDIS_PREFIX: prefix,
        WORKER_PORT: String(port),
        AUDIT_DIR: join(dir, 'audit'),
        PROMPTS_DIR: join(ROOT, 'deploy/kubernetes/base/prompts'),
        WORKFLOWS_DIR: join(ROOT, 'deploy/kubernetes/base/workflows'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    const ready = await readyStatus(port, child);
    child.kill('SIGTERM');
    const code = await exited;

    // The test machine's Redis runs without AOF, which the worker rightly warns about.
    const warnings = output
      .split('\n')
      .filter((line) => line !== '' && !line.includes('"msg":"redis may lose jobs'));

    expect({ ready, warnings }).toEqual({ ready: 200, warnings: [] });
    expect(code).toBe(0);
  }, 60_000);
  it('runs a bot that loads none of the bundled Kubernetes client, Octokit or gitea-js', async () => {
    const port = await freePort();
    const list = join(dir, 'bot-modules.txt');
    const child = spawn(join(bin, 'coxswain'), ['bot'], {
      cwd: dir,
      env: {
        PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: dir,
        NODE_OPTIONS: `--import ${join(import.meta.dirname, '../support/record-modules.ts')}`,
        RECORD_MODULES_TO: list,
        REDIS_URL: testRedisUrl(),
        REDIS_PREFIX: prefix,
        PORT: String(port),
        ALERTMANAGER_AUTH: 'none',
        AUDIT_DIR: join(dir, 'audit'),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const ready = await readyStatus(port, child);
    child.kill('SIGTERM');
    await exited;

    const files = readFileSync(list, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith('file:') && url.includes('/app/dist/'));
    const holding = (marker: string) =>
      files.filter((url) => readFileSync(fileURLToPath(url), 'utf8').includes(marker));

    expect(ready).toBe(200);
    expect(files.length).toBeGreaterThan(1);
    expect(holding('CoreV1Api')).toEqual([]);
    // Octokit's user agent, and a route of gitea-js's generated client: in their chunks only.
    expect(holding('octokit-rest.js/')).toEqual([]);
    expect(holding('/admin/runners/registration-token')).toEqual([]);
  }, 60_000);
});
