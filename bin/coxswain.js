#!/usr/bin/env node
// The `coxswain` command from a checkout. It runs the TypeScript sources directly, which needs
// Node's type stripping (Node >= 22.19); `npm ci` puts a Node 24 on the PATH of npm scripts and
// npx. The container image runs the compiled dist/main/entry.js instead (deploy/Dockerfile).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `coxswain: Node ${process.versions.node} is too old; it needs Node >= 22.19.\n` +
      'Run it through npm (npx coxswain, npm run demo), which uses the Node 24 that npm ci installs.\n',
  );
  process.exit(1);
}
await import('../src/main/entry.ts');
