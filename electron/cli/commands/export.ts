import { resolve } from 'node:path';

import { exportProject } from '../../services/export/export-service';
import type { CliCommand } from '../command';

/** `condense export DIR`: Dockerfile, .dockerignore, environment.yml, lockfiles and a README. */
export const exportCommand: CliCommand = {
  usage: 'export DIR [--force]',
  options: { force: { type: 'boolean' } },
  positionals: true,
  async run(context, values, positionals) {
    if (positionals.length !== 1) {
      context.progress('condense export: name one folder, e.g. condense export ./image');
      return 2;
    }
    const result = await exportProject({
      projectDir: context.projectDir,
      dir: resolve(positionals[0]!),
      force: values.force === true,
    });
    for (const file of result.files) context.out(`${result.dir}/${file}`);
    return 0;
  },
};
