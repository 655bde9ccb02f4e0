import { isAbsolute, resolve } from 'node:path';

import { importLockfiles } from '../../services/lock/import';
import type { CliCommand } from '../command';

/** `condense import FILE...`: explicit files and conda-lock.yml as the project's lock. */
export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import lockfiles (explicit files, conda-lock.yml) as the project lock',
  usage: 'import FILE... [--dev] [--json]',
  positionals: true,
  options: { json: { type: 'boolean' }, dev: { type: 'boolean' } },
  async run(context, values, positionals) {
    if (positionals.length === 0) {
      context.progress('condense import: name the lockfiles to import, e.g. conda-lock.yml.');
      return 2;
    }
    const files = positionals.map((f) => (isAbsolute(f) ? f : resolve(f)));
    const result = await importLockfiles(context.projectDir, files, {
      includeDev: Boolean(values.dev),
    });
    if (values.json) context.out(JSON.stringify(result, null, 2));
    else {
      for (const p of result.platforms) context.out(`${p.platform}: ${p.packages} packages`);
      for (const file of result.files) context.progress(`wrote ${file}`);
    }
    return 0;
  },
};
