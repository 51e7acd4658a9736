import { runConformance } from './run.ts';

// `npm run sandbox:conformance`: each kubectl command and API call of the table against the
// sandbox, beside what a real cluster gives, and how many match.
const tables = await runConformance();
let matched = 0;
let total = 0;
for (const { title, results } of tables) {
  process.stdout.write(`\n${title}\n`);
  for (const r of results) {
    total++;
    if (r.matched) matched++;
    process.stdout.write(`  ${r.matched ? 'match' : 'DIFFERS'}  ${r.name}\n`);
    process.stdout.write(`           real: ${r.real}\n`);
    if (!r.matched) process.stdout.write(`           sandbox: ${r.got}\n`);
  }
}
process.stdout.write(`\n${matched} of ${total} match a real cluster\n`);
process.exitCode = matched === total ? 0 : 1;
