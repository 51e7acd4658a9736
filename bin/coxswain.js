#!/usr/bin/env node
// The `coxswain` command. Coxswain runs its TypeScript sources directly, which needs Node's
// type stripping (Node >= 22.19); `npm ci` puts a Node 24 on the PATH of npm scripts and npx.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `coxswain: Node ${process.versions.node} is too old; it needs Node >= 22.19.\n` +
      'Run it through npm (npx coxswain, npm run demo), which uses the Node 24 that npm ci installs.\n',
  );
  process.exit(1);
}
const { main } = await import('../src/main/cli.ts');
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
