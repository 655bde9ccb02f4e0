import type { CliCommand } from '../command';

/** Every CLI command; each lives in its own file in this folder. */
export const commands: CliCommand[] = [];
