// Preloaded (`node --import`) into a process under test: records the URL of every module the
// process resolves, ES imports and `require` alike, and writes them one a line to the file
// RECORD_MODULES_TO names when the process exits.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.RECORD_MODULES_TO;
const urls = new Set<string>();

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    urls.add(resolved.url);
    return resolved;
  },
});

process.on('exit', () => {
  if (out !== undefined) writeFileSync(out, `${[...urls].join('\n')}\n`);
});
