// The package registry these machines reach serves only some platforms' builds of packages that
// ship native binaries as optional per-platform dependencies (Biome, msgpackr-extract). `npm
// install` then writes a lockfile without the others, and `npm ci` refuses it as out of sync.
// This adds the missing entries with their os/cpu/libc, so npm skips them on other platforms and
// fetches them by name and version where they apply. Run it after every `npm install`:
// `npm run lockfile`.
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM =
  /-(android|darwin|linux|win32|freebsd|openbsd|netbsd|sunos|aix)-(arm64|x64|arm|ia32|ppc64|s390x|riscv64|loong64)(?:-(musl|gnu|gnueabihf|msvc))?$/;

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const entry of Object.values(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key] !== undefined) continue;
    const match = PLATFORM.exec(name);
    if (match === null) {
      console.error(
        `complete-lockfile: ${name} is missing and is not a platform build; run npm install`,
      );
      process.exitCode = 1;
      continue;
    }
    const [, os, cpu, libc] = match;
    packages[key] = {
      version: range.replace(/^[\^~=]/, ''),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc === 'musl' ? { libc: ['musl'] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);
