import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { SYNTHETIC_CONTENTS } from '../../fixtures/synthetic/synthetic-channel';

/** A record of the synthetic channel's repodata.json. */
export interface RepodataEntry {
  name: string;
  version: string;
  build: string;
  md5: string;
  noarch?: string;
}

/** One package chosen for a test lockfile. */
export interface ChosenPackage {
  subdir: string;
  filename: string;
  record: RepodataEntry;
}

/**
 * An explicit lockfile over the synthetic channel: one build per package name (python 3.11 ones,
 * openblas rather than mkl, no deliberately unsatisfiable packages), linux-64 before noarch so
 * noarch python packages find the installed python; packages that would overwrite another's file are
 * left out. Formats alternate between .conda and .tar.bz2.
 * Tests use it where no solve is needed (analysis, the offline builder stand-in installs in order).
 */
export async function syntheticLock(
  channelDir: string,
  channelUrl: string,
): Promise<{ text: string; chosen: ChosenPackage[] }> {
  const names = new Set<string>();
  const paths = new Set<string>();
  const chosen: ChosenPackage[] = [];
  for (const subdir of ['linux-64', 'noarch']) {
    const data = JSON.parse(await readFile(join(channelDir, subdir, 'repodata.json'), 'utf8')) as {
      packages: Record<string, RepodataEntry>;
      'packages.conda': Record<string, RepodataEntry>;
    };
    const entries = [...Object.entries(data['packages.conda']), ...Object.entries(data.packages)];
    for (const [filename, record] of entries) {
      if (names.has(record.name)) continue;
      if (/mkl|conflict|needs-|py312|python-3\.12|abi-3\.12/.test(filename)) continue;
      if (/^python(_abi)?$/.test(record.name) && !record.version.startsWith('3.11')) continue;
      const files =
        SYNTHETIC_CONTENTS.find(
          (p) => p.name === record.name && p.version === record.version && p.build === record.build,
        )?.files ?? [];
      // Skip packages that would clobber a chosen package's file (e.g. libgfortran.so links).
      if (files.some((f) => paths.has(f))) continue;
      for (const f of files) paths.add(f);
      names.add(record.name);
      const useConda = chosen.length % 2 === 0;
      const file = useConda
        ? filename.replace(/\.tar\.bz2$/, '.conda')
        : filename.replace(/\.conda$/, '.tar.bz2');
      const rec = (useConda ? data['packages.conda'][file] : data.packages[file]) ?? record;
      chosen.push({ subdir, filename: file, record: rec });
    }
  }
  const text = [
    '# platform: linux-64',
    '@EXPLICIT',
    ...chosen.map((c) => `${channelUrl}/${c.subdir}/${c.filename}#${c.record.md5}`),
    '',
  ].join('\n');
  return { text, chosen };
}
