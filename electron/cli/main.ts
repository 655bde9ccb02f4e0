import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { isCondenseError } from '../../shared/api/errors';
import { redact } from '../../shared/format/redact';
import { APP_VERSION } from '../services/app-info';
import type { CliCommand, CliContext } from './command';
import { type CliCommandEntry, commands } from './commands/index';
import { stopOnSignals } from './signals';

const GLOBAL_OPTIONS = {
  project: { type: 'string' as const, short: 'C' },
  help: { type: 'boolean' as const, short: 'h' },
};

function helpText(list: CliCommandEntry[]): string {
  const width = Math.max(...list.map((c) => c.name.length), 8);
  return [
    `condense ${APP_VERSION}: conda environments to small, reproducible Docker images`,
    '',
    'Usage: condense <command> [options] [--project DIR]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command works on the project in the current folder; --project DIR names another.',
    'Run `condense <command> --help` for its options.',
  ].join('\n');
}

function commandHelp(entry: CliCommandEntry, command: CliCommand): string {
  const options = Object.entries(command.options).map(
    ([name, o]) =>
      `  --${name}${o.type === 'string' ? ' VALUE' : ''}${o.multiple ? ' (repeatable)' : ''}`,
  );
  return [
    `Usage: condense ${command.usage}`,
    '',
    entry.summary,
    '',
    'Options:',
    ...options,
    '  --project DIR',
  ].join('\n');
}

/** Where the CLI writes: process streams, or buffers in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Runs the CLI and returns its exit code; never throws. */
export async function runCli(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText(commands) + '\n');
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${APP_VERSION}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`condense: unknown command "${name}"; run condense --help for the list\n`);
    return 2;
  }
  const command = await entry.load();
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, ...GLOBAL_OPTIONS },
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (error) {
    // Node's option errors come in several lines (a hint to write `--keep=-3`): one line here.
    const message = (error as Error).message
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join(' ');
    io.stderr.write(`condense ${name}: ${redact(message)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(commandHelp(entry, command) + '\n');
    return 0;
  }
  const controller = new AbortController();
  const stopper = stopOnSignals(controller, io);
  const context: CliContext = {
    projectDir: resolve(
      typeof parsed.values.project === 'string' ? parsed.values.project : process.cwd(),
    ),
    out: (text) => io.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    progress: (text) => io.stderr.write(redact(text.endsWith('\n') ? text : `${text}\n`)),
    signal: controller.signal,
  };
  try {
    const code = await command.run(context, parsed.values, parsed.positionals);
    return code ?? 0;
  } catch (error) {
    const message =
      isCondenseError(error) || error instanceof Error ? error.message : String(error);
    io.stderr.write(`condense ${name}: ${redact(message.split('\n')[0]!)}\n`);
    return stopper.exitCode() ?? 1;
  } finally {
    stopper.dispose();
  }
}
