import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CoxswainError } from '../errors.ts';

/** A command's flags, parsed strictly: an unknown flag or a stray argument is a usage error. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: readonly string[],
  options: T,
  positionals = 0,
) {
  try {
    const parsed = parseArgs({
      args: [...args],
      options,
      allowPositionals: positionals > 0,
      strict: true,
    });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(
        `coxswain ${command}: unexpected argument "${parsed.positionals[positionals]}"`,
      );
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`coxswain ${command}: ${(error as Error).message}`);
  }
}

/** Wrong flags or arguments: the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends CoxswainError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}
