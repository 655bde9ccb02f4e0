import type { ParseArgsConfig } from 'node:util';

/** What every CLI command gets: the project folder, output streams, and a signal that Ctrl-C aborts. */
export interface CliContext {
  projectDir: string;
  /** Results (paths, tables, JSON) go to stdout. */
  out: (text: string) => void;
  /** Progress and warnings go to stderr, so stdout stays scriptable. */
  progress: (text: string) => void;
  signal: AbortSignal;
}

/** A command's options and work; its name and summary are in `commands/index.ts`. */
export interface CliCommand {
  /** One usage line after `condense `, e.g. `lock [--platform P]...`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Allows positional arguments. */
  positionals?: boolean;
  run(
    context: CliContext,
    values: Record<string, string | boolean | string[] | boolean[] | undefined>,
    positionals: string[],
  ): Promise<number | void>;
}
