// `npm run build`: bundles src/ into dist/ with esbuild, for the image (deploy/Dockerfile). A
// role's process then holds fewer, smaller scripts than with one compiled file per module: a
// worker idles about 15 MiB lower (the Kubernetes client's ~900 model files the larger part),
// and a bot about 6 MiB lower (docs/operations.md, "Memory and V8 flags"). Types are checked by
// `npm run typecheck`, not here.
//
// - Code splitting keeps each dynamic import lazy: a bot never loads the chunks of the worker,
//   the Kubernetes client, Bolt or discord.js unless it runs them.
// - Whitespace and syntax are minified; identifiers are not, so stack traces keep their names.
// - Packages that find files next to their own code at run time stay in node_modules: msgpackr
//   (BullMQ's, for its native build), pino (its transport workers), Bolt and discord.js
//   (optional native modules they try to require). BullMQ itself is bundled: it carries its Lua
//   scripts as strings, and only its sandboxed processors (a processor given as a file, forked
//   from BullMQ's folder) would need its files, which Coxswain's function processors do not.
// - Luxon stays in node_modules too: cron-parser requires it, and src/shared/cron.ts sets its
//   defaults through the same require, so both see one copy.

import { chmodSync, cpSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { build } from 'esbuild';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = 'dist';
const EXTERNAL = ['msgpackr', 'pino', '@slack/bolt', 'discord.js', 'luxon'];
/** Files the modules read next to themselves, copied where those modules' URLs point. */
const ASSETS = ['chat/web/static', 'dashboard/static', 'sandbox/scenarios'];

/**
 * Every chunk sits one folder below dist/ (dist/main/entry.js, dist/chunks/*.js), so a module's
 * `import.meta.url` becomes the URL it would have as dist/<its path>.js: its `./static/` and
 * `../../prompts/` resolve as they do from src/.
 */
const urlOfOwnPath = {
  name: 'url-of-own-path',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\/src\/.*\.ts$/ }, async (args) => {
      const contents = await readFile(args.path, 'utf8');
      if (!contents.includes('import.meta.')) return { contents, loader: 'ts' };
      const own = `../${relative(`${ROOT}src`, args.path).replace(/\.ts$/, '.js')}`;
      const url = `new URL(${JSON.stringify(own)}, import.meta.url).href`;
      return {
        contents: contents
          .replaceAll('import.meta.url', url)
          .replaceAll('import.meta.dirname', `decodeURIComponent(new URL('.', ${url}).pathname)`),
        loader: 'ts',
      };
    });
  },
};

rmSync(`${ROOT}${OUT}`, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/main/entry.ts'],
  outbase: 'src',
  outdir: OUT,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  external: EXTERNAL,
  // Bundled CommonJS packages call require() for Node's own modules, and some name __dirname in
  // paths Coxswain does not take (ioredis's friendly error stacks, BullMQ's sandboxed
  // processors): there they get the chunk's folder rather than a ReferenceError.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      "const __dirname = __fileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
  plugins: [urlOfOwnPath],
  logLevel: 'warning',
});
for (const asset of ASSETS)
  cpSync(`${ROOT}src/${asset}`, `${ROOT}${OUT}/${asset}`, { recursive: true });
chmodSync(`${ROOT}${OUT}/main/entry.js`, 0o755);
