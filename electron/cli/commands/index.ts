import type { CliCommand } from '../command';
import { analyzeCommand } from './analyze';
import { buildCommand } from './build';
import { compareCommand } from './compare';
import { dockerfileCommand } from './dockerfile';
import { envCommand } from './env';
import { exportCommand } from './export';
import { imagesCommand } from './images';
import { importCommand } from './import';
import { initCommand } from './init';
import { lockCommand } from './lock';
import { pushCommand } from './push';
import { sbomCommand } from './sbom';
import { searchCommand } from './search';
import { serveCommand } from './serve';

/** Every CLI command; each lives in its own file in this folder. */
export const commands: CliCommand[] = [
  initCommand,
  serveCommand,
  lockCommand,
  importCommand,
  envCommand,
  searchCommand,
  buildCommand,
  compareCommand,
  imagesCommand,
  dockerfileCommand,
  analyzeCommand,
  exportCommand,
  sbomCommand,
  pushCommand,
];
