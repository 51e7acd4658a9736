// Preloaded (`node --import`) into a process under test: records the URL of every module the
// process resolves, ES imports and `require` alike, one a line in the file RECORD_MODULES_TO
// names. Each is appended as it is first resolved, so the list is whole however the process ends
// (a SIGTERM that arrives before the process has its own handler ends it without an exit event).
import { appendFileSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.RECORD_MODULES_TO;
const urls = new Set<string>();
if (out !== undefined) writeFileSync(out, '');

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (out !== undefined && !urls.has(resolved.url)) {
      urls.add(resolved.url);
      appendFileSync(out, `${resolved.url}\n`);
    }
    return resolved;
  },
});
