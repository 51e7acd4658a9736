#!/usr/bin/env node
// The `coxswain` command: bin/coxswain.js runs it from the sources, and the container image runs
// its compiled dist/main/entry.js. Arguments in, exit code out; everything else is in cli.ts.
import { main } from './cli.ts';

const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
