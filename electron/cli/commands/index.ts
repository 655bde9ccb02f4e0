import type { CliCommand } from '../command';
import { serveCommand } from './serve';

/** Every CLI command; each lives in its own file in this folder. */
export const commands: CliCommand[] = [serveCommand];
