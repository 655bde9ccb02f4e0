import { describe, expect, it } from 'vitest';

import { checkAndIndexRepodata } from './repodata-check';
import { filteredRepodata, indexRepodata, recordDepends } from './repodata-index';

const repodata = {
  info: { subdir: 'linux-64', base_url: 'https://example.invalid/ch/linux-64/' },
  packages: {
    'numpy-1.26.4-py311h_0.tar.bz2': {
      name: 'numpy',
      version: '1.26.4',
      build: 'py311h_0',
      depends: ['python >=3.11', 'libblas'],
    },
    'six-1.16.0-py_0.tar.bz2': {
      name: 'six',
      version: '1.16.0',
      build: 'py_0',
      depends: [],
      summary: 'braces { and quotes \\" " in text }',
    },
  },
  'packages.conda': {
    'numpy-2.0.1-py311h_0.conda': {
      name: 'numpy',
      version: '2.0.1',
      build: 'py311h_0',
      depends: ['python >=3.11'],
      extra: { nested: [1, { deep: '}' }] },
    },
    'python-3.11.9-h_0_cpython.conda': {
      name: 'python',
      version: '3.11.9',
      build: 'h_0_cpython',
      depends: [],
    },
    'lib-blas-x-3.9.0-1_openblas.conda': {
      name: 'lib-blas-x',
      version: '3.9.0',
      build: '1_openblas',
      depends: [],
    },
  },
  removed: ['old-1.0-0.tar.bz2', 'gone-1.0-0.conda'],
  repodata_version: 1,
};

describe.each([
  ['compact', JSON.stringify(repodata)],
  ['pretty', JSON.stringify(repodata, null, 2)],
])('repodata index (%s JSON)', (_label, text) => {
  const index = indexRepodata(Buffer.from(text));

  it('is the index the download check builds in the same pass', () => {
    const checked = checkAndIndexRepodata(Buffer.from(text));
    expect(typeof checked).toBe('object');
    const built = checked as typeof index;
    expect(built.records).toBe(index.records);
    expect(built.info).toEqual(index.info);
    expect([...built.byName]).toEqual([...index.byName]);
    expect(checkAndIndexRepodata(Buffer.from(text.slice(0, -1)))).toMatch(/cut off/);
  });

  it('finds every record by name, in both sections, and nothing from removed', () => {
    expect(index.records).toBe(5);
    expect([...index.byName.keys()].sort()).toEqual(['lib-blas-x', 'numpy', 'python', 'six']);
    expect(index.byName.get('numpy')!.map((e) => e[4])).toEqual([0, 1]);
    expect(recordDepends(index, index.byName.get('numpy')![0]!)).toEqual([
      'python >=3.11',
      'libblas',
    ]);
  });

  it('writes a filtered repodata.json that parses back to the same records', () => {
    const filtered = JSON.parse(
      filteredRepodata(index, ['numpy', 'six'], 'linux-64').toString(),
    ) as typeof repodata;
    expect(filtered.info).toEqual(repodata.info);
    expect(filtered.packages).toEqual(repodata.packages);
    expect(filtered['packages.conda']).toEqual({
      'numpy-2.0.1-py311h_0.conda': repodata['packages.conda']['numpy-2.0.1-py311h_0.conda'],
    });
  });
});

describe('serialized index', () => {
  it('round-trips, and refuses other bytes or validators', async () => {
    const { deserializeIndex, serializeIndex } = await import('./repodata-index');
    const bytes = Buffer.from(JSON.stringify(repodata, null, 1));
    const index = indexRepodata(bytes);
    const data = serializeIndex(index, 'etag-1');
    const back = deserializeIndex(data, bytes, 'etag-1')!;
    expect(back.records).toBe(index.records);
    expect(back.info).toEqual(index.info);
    expect([...back.byName]).toEqual([...index.byName]);
    expect(deserializeIndex(data, bytes, 'etag-2')).toBeUndefined();
    expect(
      deserializeIndex(data, Buffer.concat([bytes, Buffer.from(' ')]), 'etag-1'),
    ).toBeUndefined();
  });
});
