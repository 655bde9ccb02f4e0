import { isAbsolute, resolve } from 'node:path';

import { validate } from '../../../shared/api/validate';
import { importLockfiles } from '../../services/lock/import';
import type { CliCommand } from '../command';

/** `condense import FILE...`: explicit files and conda-lock.yml as the project's lock. */
export const importCommand: CliCommand = {
  usage: 'import FILE... [--dev] [--json]',
  positionals: true,
  options: { json: { type: 'boolean' }, dev: { type: 'boolean' } },
  async run(context, values, positionals) {
    if (positionals.length === 0) {
      context.progress('condense import: name the lockfiles to import, e.g. conda-lock.yml.');
      return 2;
    }
    // The contract's schema, as the app's door applies it (lock:import): the files are refused by
    // field (too many, a NUL in a name) before any is read.
    const request = validate('lock:import', {
      projectDir: context.projectDir,
      files: positionals.map((f) => (isAbsolute(f) ? f : resolve(f))),
      ...(values.dev ? { includeDev: true } : {}),
    });
    const result = await importLockfiles(request.projectDir, request.files, {
      includeDev: request.includeDev === true,
    });
    if (values.json) context.out(JSON.stringify(result, null, 2));
    else {
      for (const p of result.platforms) context.out(`${p.platform}: ${p.packages} packages`);
      for (const file of result.files) context.progress(`wrote ${file}`);
    }
    return 0;
  },
};
