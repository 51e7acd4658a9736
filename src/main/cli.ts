import { CoxswainError } from '../errors.ts';
import { demo } from './demo.ts';
import { serve } from './serve.ts';

const USAGE = `Usage: coxswain <command>

Commands:
  bot      chat connections, the HTTP server (webhook, console, health, metrics) and the outbox
  worker   runs jobs from the queues; serves health and metrics on WORKER_PORT
  all      bot and worker in one process
  demo     everything in one process on port 8080, with its own Redis unless REDIS_URL is set

Configuration comes from the environment (and .env); see .env.example.
`;

const COMMANDS: Record<string, () => Promise<void>> = {
  bot: () => serve('bot'),
  worker: () => serve('worker'),
  all: () => serve('all'),
  demo,
};

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined || rest.length > 0) {
    process.stderr.write(
      `coxswain: ${run === undefined ? `unknown command "${command}"` : `unexpected argument "${rest[0]}"`}\n\n${USAGE}`,
    );
    return 2;
  }
  try {
    await run();
    return 0;
  } catch (error) {
    process.stderr.write(`coxswain: ${describe(error)}\n`);
    return 1;
  }
}

function describe(error: unknown): string {
  if (error instanceof CoxswainError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return `${(error as Error).message}: the port is taken; set PORT (or WORKER_PORT) to another`;
  if (code === 'EACCES') return `${(error as Error).message}: not allowed to listen there`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
