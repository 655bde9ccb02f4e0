import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A record of a hand-written test channel: `name version build [depends...]`. */
export interface MiniRecord {
  name: string;
  version: string;
  build?: string;
  depends?: string[];
  subdir?: string;
}

/**
 * Writes repodata.json files only (no package archives): enough for solver tests, whose URLs are
 * never downloaded. Hashes are derived from the file name so they are stable.
 */
export async function writeMiniChannel(
  dir: string,
  records: MiniRecord[],
  subdirs = ['linux-64', 'noarch'],
): Promise<void> {
  for (const subdir of subdirs) {
    const packages: Record<string, unknown> = {};
    for (const r of records.filter((x) => (x.subdir ?? 'linux-64') === subdir)) {
      const build = r.build ?? 'h0_0';
      const filename = `${r.name}-${r.version}-${build}.conda`;
      packages[filename] = {
        name: r.name,
        version: r.version,
        build,
        build_number: Number(/_(\d+)$/.exec(build)?.[1] ?? 0),
        depends: r.depends ?? [],
        md5: createHash('md5').update(filename).digest('hex'),
        sha256: createHash('sha256').update(filename).digest('hex'),
        size: 1000,
        subdir,
        ...(subdir === 'noarch' ? { noarch: 'generic' } : {}),
      };
    }
    await mkdir(join(dir, subdir), { recursive: true });
    await writeFile(
      join(dir, subdir, 'repodata.json'),
      JSON.stringify({ info: { subdir }, packages: {}, 'packages.conda': packages }),
    );
  }
}

/** A small conda-forge-shaped graph: python variants, BLAS variants, a compiler runtime, noarch. */
export const MINI_RECORDS: MiniRecord[] = [
  { name: '_libgcc_mutex', version: '0.1', build: 'conda_forge' },
  {
    name: 'libgcc-ng',
    version: '13.2.0',
    build: 'h77fa898_7',
    depends: ['_libgcc_mutex 0.1 conda_forge', '__glibc >=2.17'],
  },
  { name: 'libzlib', version: '1.3.1', build: 'h4ab18f5_1', depends: ['libgcc-ng >=12'] },
  {
    name: 'python',
    version: '3.11.9',
    build: 'hb806964_0_cpython',
    depends: ['libgcc-ng >=12', 'libzlib >=1.3.1', 'python_abi 3.11.* *_cp311'],
  },
  {
    name: 'python',
    version: '3.12.4',
    build: 'h194c7f8_0_cpython',
    depends: ['libgcc-ng >=12', 'libzlib >=1.3.1', 'python_abi 3.12.* *_cp312'],
  },
  { name: 'python_abi', version: '3.11', build: '4_cp311' },
  { name: 'python_abi', version: '3.12', build: '4_cp312' },
  {
    name: 'libblas',
    version: '3.9.0',
    build: '22_linux64_openblas',
    depends: ['libopenblas >=0.3.27'],
  },
  {
    name: 'libopenblas',
    version: '0.3.27',
    build: 'pthreads_h413a1c8_0',
    depends: ['libgcc-ng >=12'],
  },
  {
    name: 'numpy',
    version: '1.26.4',
    build: 'py311h64a7726_0',
    depends: ['libblas >=3.9.0', 'python >=3.11,<3.12.0a0', 'python_abi 3.11.* *_cp311'],
  },
  {
    name: 'numpy',
    version: '2.0.1',
    build: 'py311hed25524_0',
    depends: ['libblas >=3.9.0', 'python >=3.11,<3.12.0a0', 'python_abi 3.11.* *_cp311'],
  },
  {
    name: 'numpy',
    version: '2.0.1',
    build: 'py312h1103770_0',
    depends: ['libblas >=3.9.0', 'python >=3.12,<3.13.0a0', 'python_abi 3.12.* *_cp312'],
  },
  {
    name: 'pip',
    version: '24.0',
    build: 'pyhd8ed1ab_0',
    depends: ['python >=3.7'],
    subdir: 'noarch',
  },
  { name: 'six', version: '1.16.0', build: 'pyh6c4a22f_0', depends: ['python'], subdir: 'noarch' },
  { name: 'oldlib', version: '1.0', build: 'h0_0', depends: ['python <3.10'] },
  { name: 'cudatoolkit', version: '11.8.0', build: 'h0_0', depends: ['__cuda >=11.2'] },
];

/**
 * Writes the same records as a CEP 16 sharded channel only (no repodata.json): an index
 * `repodata_shards.msgpack.zst` and one `shards/<sha256>.msgpack.zst` per name, compressed by the
 * fixtures' JS zstd writer, so no zstd program is needed.
 */
export async function writeShardedChannel(
  dir: string,
  records: MiniRecord[],
  subdirs = ['linux-64', 'noarch'],
): Promise<void> {
  const { encode } = await import('../../channels/msgpack');
  const { zstdRaw } = await import('../../../../fixtures/lib/compress');
  const zstd = (data: Uint8Array) => Buffer.from(zstdRaw(data));
  for (const subdir of subdirs) {
    const byName = new Map<string, MiniRecord[]>();
    for (const r of records.filter((x) => (x.subdir ?? 'linux-64') === subdir))
      byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
    const shards: Record<string, Uint8Array> = {};
    await mkdir(join(dir, subdir, 'shards'), { recursive: true });
    for (const [name, list] of byName) {
      const conda: Record<string, Record<string, unknown>> = {};
      for (const r of list) {
        const build = r.build ?? 'h0_0';
        const filename = `${r.name}-${r.version}-${build}.conda`;
        conda[filename] = {
          name: r.name,
          version: r.version,
          build,
          build_number: Number(/_(\d+)$/.exec(build)?.[1] ?? 0),
          depends: r.depends ?? [],
          md5: createHash('md5').update(filename).digest(),
          sha256: createHash('sha256').update(filename).digest(),
          size: 1000,
          subdir,
        };
      }
      const compressed = zstd(
        encode({ packages: {}, 'packages.conda': conda, removed: [] } as never),
      );
      const digest = createHash('sha256').update(compressed).digest();
      shards[name] = digest;
      await writeFile(
        join(dir, subdir, 'shards', `${digest.toString('hex')}.msgpack.zst`),
        compressed,
      );
    }
    const index = zstd(
      encode({
        version: 1,
        info: { subdir, base_url: '', shards_base_url: './shards/' },
        created_at: 0,
        shards,
      }),
    );
    await writeFile(join(dir, subdir, 'repodata_shards.msgpack.zst'), index);
  }
}
