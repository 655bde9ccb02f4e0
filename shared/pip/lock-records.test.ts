import { describe, expect, it } from 'vitest';

import { parseCondaLockYml, writeCondaLockYml } from '../conda/conda-lock-yml';
import { parseExplicitLockfile, writeExplicitLockfile } from '../conda/explicit-lockfile';
import type { PipReport } from './lock-records';
import {
  parsePipReport,
  pipLockedPackages,
  pipRequirementsFromExplicit,
  pipRequirementsText,
  versionFromFilename,
} from './lock-records';

const H = (c: string) => c.repeat(64);
const ENV = { python_version: '3.11', python_full_version: '3.11.2', sys_platform: 'linux' };

// Shaped like pip 23.0's --report (https://pip.pypa.io/en/stable/reference/installation-report/).
const report: PipReport = {
  version: '1',
  pip_version: '23.0.1',
  environment: ENV,
  install: [
    {
      download_info: {
        url: 'http://i.example/files/demo-1.0-py3-none-any.whl',
        archive_info: { hash: `sha256=${H('a')}`, hashes: { sha256: H('a') } },
      },
      requested: true,
      requested_extras: ['http'],
      metadata: {
        name: 'Demo_Pkg',
        version: '1.0',
        requires_dist: [
          'click>=8',
          'tomli; python_version < "3.11"',
          'requests[socks]>=2; extra == "http"',
          'rich; extra == "cli"',
        ],
      },
    },
    {
      // pip 22.x writes only the legacy `hash`.
      download_info: {
        url: 'http://i.example/files/requests-2.28.1-py3-none-any.whl',
        archive_info: { hash: `sha256=${H('b')}` },
      },
      metadata: {
        name: 'requests',
        version: '2.28.1',
        requires_dist: ['idna<4,>=2.5', 'PySocks>=1.5.6; extra == "socks"'],
      },
    },
  ],
};

describe('pip lock records', () => {
  const packages = pipLockedPackages(report, { platform: 'linux-64' });

  it('records what applies: markers of this Python, requested extras, and extras asked by dependants', () => {
    expect(packages.map((p) => [p.name, p.version, p.sha256])).toEqual([
      ['demo-pkg', '1.0', H('a')],
      ['requests', '2.28.1', H('b')],
    ]);
    expect(packages[0]!.depends).toEqual(['click >=8', 'requests >=2']);
    // demo asked for requests[socks]: its socks requirement counts.
    expect(packages[1]!.depends).toEqual(['idna <4,>=2.5', 'pysocks >=1.5.6']);
    expect(packages.every((p) => p.manager === 'pip' && p.subdir === 'pypi')).toBe(true);
  });

  it('writes conda-lock entries (sha256 only) and # pip lines that read back', () => {
    const yml = writeCondaLockYml({
      channels: [],
      platforms: ['linux-64'],
      inputHashes: {},
      sources: ['environment.yml'],
      packages,
    });
    expect(yml).toContain(`hash:\n      sha256: ${H('a')}\n`);
    expect(yml).not.toMatch(/md5: ""/);
    const back = parseCondaLockYml(yml).packages;
    expect(back.map((p) => [p.name, p.sha256, p.depends])).toEqual(
      packages.map((p) => [p.name, p.sha256, p.depends]),
    );
    const explicit = writeExplicitLockfile(packages, {
      platform: 'linux-64',
      inputHash: 'x',
      generator: 't',
    });
    expect(explicit).toContain(
      `# pip demo-pkg @ http://i.example/files/demo-1.0-py3-none-any.whl#sha256=${H('a')}\n`,
    );
    const reread = parseExplicitLockfile(explicit).packages;
    expect(reread.map((p) => [p.name, p.version, p.sha256])).toEqual([
      ['demo-pkg', '1.0', H('a')],
      ['requests', '2.28.1', H('b')],
    ]);
    // The requirements the image installs are exactly the # pip lines of the lockfile.
    expect(pipRequirementsFromExplicit(explicit)).toBe(pipRequirementsText(packages, 'linux-64'));
    expect(pipRequirementsText(packages, 'linux-64').split('\n')[1]).toBe(
      `requests @ http://i.example/files/requests-2.28.1-py3-none-any.whl#sha256=${H('b')}`,
    );
  });

  it('refuses what cannot be hash-locked and reports it plainly', () => {
    const noHash: PipReport = {
      ...report,
      install: [{ ...report.install[1]!, download_info: { url: 'http://i.example/x-1.whl' } }],
    };
    expect(() => pipLockedPackages(noHash, { platform: 'linux-64' })).toThrow(
      /no sha256.*--require-hashes/,
    );
    const local: PipReport = {
      ...report,
      install: [{ ...report.install[1]!, download_info: { url: 'file:///src', dir_info: {} } }],
    };
    expect(() => pipLockedPackages(local, { platform: 'linux-64' })).toThrow(
      /cannot be locked with a hash/,
    );
    expect(() => parsePipReport('{"version": "2", "install": []}')).toThrow(/version 2/);
    expect(() => parsePipReport('not json')).toThrow(/no readable/);
  });

  it('reads versions from wheel and sdist names', () => {
    expect(versionFromFilename('MarkupSafe-2.1.2-cp311-cp311-manylinux_2_36_x86_64.whl')).toBe(
      '2.1.2',
    );
    expect(versionFromFilename('pkg-1.0-1-py3-none-any.whl')).toBe('1.0');
    expect(versionFromFilename('sdist_only-0.1.tar.gz')).toBe('0.1');
  });
});
