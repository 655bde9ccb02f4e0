import { resolve } from 'node:path';

import { validate } from '../../../shared/api/validate';
import { exportProject } from '../../services/export/export-service';
import type { CliCommand } from '../command';

/** `condense export DIR`: a folder that builds alone (Dockerfiles, lockfiles, copied sources, README). */
export const exportCommand: CliCommand = {
  usage: 'export DIR [--force]',
  options: { force: { type: 'boolean' } },
  positionals: true,
  async run(context, values, positionals) {
    if (positionals.length !== 1) {
      context.progress('condense export: name one folder, e.g. condense export ./image');
      return 2;
    }
    // The same request check as every other door (recipe:export).
    const request = validate('recipe:export', {
      projectDir: context.projectDir,
      dir: resolve(positionals[0]!),
      force: values.force === true,
    });
    const result = await exportProject({ ...request, force: request.force === true });
    for (const file of result.files) context.out(`${result.dir}/${file}`);
    return 0;
  },
};
