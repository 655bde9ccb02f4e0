// A generated channel of conda-forge's size and shape for the lock scale benchmark: ~465,000
// linux-64 records (~240 MB repodata.json) plus noarch, with python 3.9-3.12 variants, BLAS
// variants (openblas / mkl / blis), compiler runtimes and a solvable data-science stack among
// ~23,000 filler packages. Only repodata is written: nothing is downloaded during a lock.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The 20-package data-science environment the benchmark locks. */
export const SCALE_ENVIRONMENT = [
  'python=3.11',
  'numpy',
  'scipy',
  'pandas',
  'scikit-learn',
  'matplotlib-base',
  'pyarrow',
  'pillow',
  'pyyaml',
  'sqlalchemy',
  'requests',
  'click',
  'joblib',
  'threadpoolctl',
  'python-dateutil',
  'pytz',
  'fastapi',
  'uvicorn',
  'pip',
  'libblas=*=*openblas',
];

const GENERATOR_VERSION = 3;
export const LINUX_TARGET = 465_000;
export const NOARCH_TARGET = 120_000;

let seed = 0x9e3779b9;
function random(): number {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function hex(length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

interface Rec {
  name: string;
  version: string;
  build: string;
  build_number: number;
  depends: string[];
  constrains?: string[];
  noarch?: string;
}

const PY = ['3.9', '3.10', '3.11', '3.12'];
const cp = (py: string) => `cp${py.replace('.', '')}`;
const next = (py: string) => `3.${Number(py.split('.')[1]) + 1}`;
const pyDeps = (py: string) => [
  `python >=${py},<${next(py)}.0a0`,
  `python_abi ${py}.* *_${cp(py)}`,
];
const RUNTIME = ['libgcc-ng >=12', 'libstdcxx-ng >=12'];

function* realLinux(): Generator<Rec> {
  yield {
    name: '_libgcc_mutex',
    version: '0.1',
    build: 'conda_forge',
    build_number: 0,
    depends: [],
  };
  yield {
    name: '_openmp_mutex',
    version: '4.5',
    build: '2_gnu',
    build_number: 16,
    depends: ['_libgcc_mutex 0.1 conda_forge', 'libgomp >=7.5.0'],
  };
  for (let major = 9; major <= 14; major++) {
    for (let minor = 1; minor <= 3; minor++) {
      const v = `${major}.${minor}.0`;
      for (let n = 0; n < 3; n++) {
        const b = `h${hex(7)}_${n}`;
        yield {
          name: 'libgomp',
          version: v,
          build: b,
          build_number: n,
          depends: ['_libgcc_mutex 0.1 conda_forge'],
        };
        yield {
          name: 'libgcc-ng',
          version: v,
          build: b,
          build_number: n,
          depends: ['_libgcc_mutex 0.1 conda_forge', '_openmp_mutex >=4.5', '__glibc >=2.17'],
        };
        yield {
          name: 'libstdcxx-ng',
          version: v,
          build: b,
          build_number: n,
          depends: [`libgcc-ng ${v} ${b}`],
        };
        yield {
          name: 'libgfortran5',
          version: v,
          build: b,
          build_number: n,
          depends: [`libgcc-ng >=${major}`],
        };
        yield {
          name: 'libgfortran-ng',
          version: v,
          build: b,
          build_number: n,
          depends: [`libgfortran5 ${v} ${b}`],
        };
      }
    }
  }
  const libs: [string, string[]][] = [
    ['libzlib', ['1.2.13', '1.3', '1.3.1']],
    ['bzip2', ['1.0.8']],
    ['libffi', ['3.4.2', '3.4.4', '3.4.6']],
    ['xz', ['5.2.6', '5.4.6', '5.6.2']],
    ['libsqlite', ['3.44.2', '3.45.3', '3.46.0']],
    ['ncurses', ['6.4', '6.5']],
    ['readline', ['8.2']],
    ['tk', ['8.6.13']],
    ['openssl', ['3.1.5', '3.2.1', '3.3.1']],
    ['libuuid', ['2.38.1']],
    ['libnsl', ['2.0.1']],
    ['libxcrypt', ['4.4.36']],
    ['ld_impl_linux-64', ['2.40']],
    ['libexpat', ['2.6.2']],
    ['yaml', ['0.2.5']],
    ['freetype', ['2.12.1']],
    ['libpng', ['1.6.43']],
    ['libjpeg-turbo', ['3.0.0']],
    ['libtiff', ['4.6.0']],
    ['libwebp-base', ['1.4.0']],
    ['lcms2', ['2.16']],
    ['tbb', ['2021.12.0']],
    ['libarrow', ['14.0.2', '15.0.2', '16.1.0']],
    ['libprotobuf', ['4.25.3']],
    ['blis', ['0.9.0']],
  ];
  for (const [name, versions] of libs) {
    for (const v of versions) {
      for (let n = 0; n < 4; n++) {
        yield {
          name,
          version: v,
          build: `h${hex(7)}_${n}`,
          build_number: n,
          depends:
            name === 'libarrow'
              ? [
                  ...RUNTIME,
                  'libprotobuf >=4.25.3,<4.25.4.0a0',
                  'libzlib >=1.2.13,<2.0a0',
                  'openssl >=3.1,<4.0a0',
                ]
              : ['libgcc-ng >=12'],
        };
      }
    }
  }
  for (const v of ['0.3.25', '0.3.26', '0.3.27']) {
    for (let n = 0; n < 3; n++) {
      yield {
        name: 'libopenblas',
        version: v,
        build: `pthreads_h${hex(7)}_${n}`,
        build_number: n,
        depends: ['libgcc-ng >=12', 'libgfortran-ng', 'libgfortran5 >=12.3.0'],
      };
    }
  }
  for (const v of ['2023.2.0', '2024.1.0']) {
    yield {
      name: 'mkl',
      version: v,
      build: `h${hex(7)}_50496`,
      build_number: 50496,
      depends: ['_openmp_mutex >=4.5', 'tbb 2021.*'],
    };
  }
  for (let n = 15; n <= 22; n++) {
    const impls: [string, string][] = [
      ['openblas', 'libopenblas >=0.3.25,<1.0a0'],
      ['mkl', 'mkl >=2023.2.0,<2025.0a0'],
      ['blis', 'blis >=0.9.0,<0.9.1.0a0'],
    ];
    for (const [impl, dep] of impls) {
      const b = `${n}_linux64_${impl}`;
      yield {
        name: 'libblas',
        version: '3.9.0',
        build: b,
        build_number: n,
        depends: [dep],
        constrains: [`libcblas 3.9.0 ${b}`, `liblapack 3.9.0 ${b}`],
      };
      yield {
        name: 'libcblas',
        version: '3.9.0',
        build: b,
        build_number: n,
        depends: [`libblas 3.9.0 ${b}`],
      };
      yield {
        name: 'liblapack',
        version: '3.9.0',
        build: b,
        build_number: n,
        depends: [`libblas 3.9.0 ${b}`],
      };
    }
  }
  for (const py of PY) {
    yield {
      name: 'python_abi',
      version: py,
      build: `4_${cp(py)}`,
      build_number: 4,
      depends: [],
      constrains: [`python ${py}.* *_cpython`],
    };
    for (let patch = 0; patch < 8; patch++) {
      for (let n = 0; n < 2; n++) {
        yield {
          name: 'python',
          version: `${py}.${patch}`,
          build: `h${hex(7)}_${n}_cpython`,
          build_number: n,
          depends: [
            'bzip2 >=1.0.8,<2.0a0',
            'ld_impl_linux-64 >=2.36.1',
            'libexpat >=2.6.2,<3.0a0',
            'libffi >=3.4,<4.0a0',
            'libgcc-ng >=12',
            'libnsl >=2.0.1,<2.1.0a0',
            'libsqlite >=3.44.2,<4.0a0',
            'libuuid >=2.38.1,<3.0a0',
            'libxcrypt >=4.4.36',
            'libzlib >=1.2.13,<2.0a0',
            'ncurses >=6.4,<7.0a0',
            'openssl >=3.1,<4.0a0',
            'readline >=8.2,<9.0a0',
            'tk >=8.6.13,<8.7.0a0',
            'tzdata',
            'xz >=5.2.6,<6.0a0',
          ],
          constrains: [`python_abi ${py}.* *_${cp(py)}`],
        };
      }
    }
  }
  // Python extension packages: one build per (version, python) like conda-forge, newer versions only for newer pythons.
  const ext: [string, string[], (py: string) => string[]][] = [
    [
      'numpy',
      ['1.24.4', '1.25.2', '1.26.0', '1.26.4', '2.0.0', '2.0.1'],
      () => [
        ...RUNTIME,
        'libblas >=3.9.0,<4.0a0',
        'libcblas >=3.9.0,<4.0a0',
        'liblapack >=3.9.0,<4.0a0',
      ],
    ],
    [
      'scipy',
      ['1.11.4', '1.12.0', '1.13.1', '1.14.0'],
      () => [
        ...RUNTIME,
        'libgfortran-ng',
        'libgfortran5 >=12.3.0',
        'libblas >=3.9.0,<4.0a0',
        'liblapack >=3.9.0,<4.0a0',
        'numpy >=1.23.5,<2.3',
      ],
    ],
    [
      'pandas',
      ['2.1.4', '2.2.1', '2.2.2'],
      () => [
        ...RUNTIME,
        'numpy >=1.22.4',
        'python-dateutil >=2.8.1',
        'pytz >=2020.1',
        'python-tzdata >=2022a',
      ],
    ],
    [
      'scikit-learn',
      ['1.3.2', '1.4.2', '1.5.1'],
      () => [
        ...RUNTIME,
        '_openmp_mutex >=4.5',
        'joblib >=1.2.0',
        'numpy >=1.19,<3',
        'scipy',
        'threadpoolctl >=3.1.0',
      ],
    ],
    [
      'matplotlib-base',
      ['3.8.4', '3.9.1'],
      () => [
        ...RUNTIME,
        'certifi >=2020.06.20',
        'contourpy >=1.0.1',
        'cycler >=0.10',
        'fonttools >=4.22.0',
        'freetype >=2.12.1,<3.0a0',
        'kiwisolver >=1.3.1',
        'numpy >=1.23',
        'packaging >=20.0',
        'pillow >=8',
        'pyparsing >=2.3.1',
        'python-dateutil >=2.7',
      ],
    ],
    [
      'pyarrow',
      ['14.0.2', '15.0.2', '16.1.0'],
      () => [...RUNTIME, 'libarrow >=14.0.2', 'numpy >=1.22.4,<3'],
    ],
    [
      'pillow',
      ['10.2.0', '10.3.0', '10.4.0'],
      () => [
        'freetype >=2.12.1,<3.0a0',
        'lcms2 >=2.16,<3.0a0',
        'libgcc-ng >=12',
        'libjpeg-turbo >=3.0.0,<4.0a0',
        'libtiff >=4.6.0,<4.7.0a0',
        'libwebp-base >=1.4.0,<2.0a0',
        'libzlib >=1.2.13,<2.0a0',
      ],
    ],
    ['pyyaml', ['6.0.1'], () => ['libgcc-ng >=12', 'yaml >=0.2.5,<0.3.0a0']],
    [
      'sqlalchemy',
      ['2.0.29', '2.0.30', '2.0.31'],
      () => ['libgcc-ng >=12', 'greenlet !=0.4.17', 'typing-extensions >=4.6.0'],
    ],
    ['greenlet', ['3.0.3'], () => RUNTIME],
    ['contourpy', ['1.2.1'], () => [...RUNTIME, 'numpy >=1.20']],
    ['kiwisolver', ['1.4.5'], () => RUNTIME],
    [
      'fonttools',
      ['4.53.1'],
      () => ['brotli', 'libgcc-ng >=12', 'munkres', 'unicodedata2 >=14.0.0'],
    ],
    ['unicodedata2', ['15.1.0'], () => ['libgcc-ng >=12']],
    ['pydantic-core', ['2.20.1'], () => ['libgcc-ng >=12', 'typing-extensions >=4.6.0,!=4.7.0']],
    ['uvloop', ['0.19.0'], () => ['libgcc-ng >=12', 'libuv >=1.48.0,<2.0a0']],
    ['httptools', ['0.6.1'], () => ['libgcc-ng >=12']],
  ];
  yield {
    name: 'libuv',
    version: '1.48.0',
    build: `h${hex(7)}_0`,
    build_number: 0,
    depends: ['libgcc-ng >=12'],
  };
  for (const [name, versions, deps] of ext) {
    for (const [index, v] of versions.entries()) {
      for (const py of PY) {
        if (py === '3.9' && index === versions.length - 1 && versions.length > 2) continue;
        if (py === '3.12' && index < versions.length - 2) continue;
        for (let n = 0; n < 2; n++) {
          yield {
            name,
            version: v,
            build: `py${cp(py).slice(2)}h${hex(7)}_${n}`,
            build_number: n,
            depends: [...deps(py), ...pyDeps(py)],
          };
        }
      }
    }
  }
}

function* realNoarch(): Generator<Rec> {
  const noarch: [string, string[], string[]][] = [
    ['pip', ['23.3.2', '24.0', '24.2'], ['python >=3.8', 'setuptools', 'wheel']],
    ['setuptools', ['69.5.1', '70.3.0', '72.1.0'], ['python >=3.8']],
    ['wheel', ['0.43.0', '0.44.0'], ['python >=3.8']],
    [
      'requests',
      ['2.31.0', '2.32.2', '2.32.3'],
      [
        'certifi >=2017.4.17',
        'charset-normalizer >=2,<4',
        'idna >=2.5,<4',
        'python >=3.8',
        'urllib3 >=1.21.1,<3',
      ],
    ],
    ['certifi', ['2024.7.4'], ['python >=3.7']],
    ['charset-normalizer', ['3.3.2'], ['python >=3.7']],
    ['idna', ['3.7'], ['python >=3.6']],
    [
      'urllib3',
      ['2.2.2'],
      [
        'brotli-python >=1.0.9',
        'h2 >=4,<5',
        'pysocks >=1.5.6,<2.0,!=1.5.7',
        'python >=3.8',
        'zstandard >=0.18.0',
      ],
    ],
    ['h2', ['4.1.0'], ['hpack >=4.0,<5', 'hyperframe >=6.0,<7', 'python >=3.6.1']],
    ['hpack', ['4.0.0'], ['python']],
    ['hyperframe', ['6.0.1'], ['python >=3.6']],
    ['pysocks', ['1.7.1'], ['__unix', 'python >=3.8']],
    ['click', ['8.1.7'], ['__unix', 'python >=3.8']],
    ['joblib', ['1.4.2'], ['python >=3.8', 'setuptools']],
    ['threadpoolctl', ['3.5.0'], ['python >=3.8']],
    ['python-dateutil', ['2.9.0'], ['python >=3.6', 'six >=1.5']],
    ['pytz', ['2024.1'], ['python >=3.7']],
    ['six', ['1.16.0'], ['python']],
    ['python-tzdata', ['2024.1'], ['python >=3.6']],
    ['packaging', ['24.1'], ['python >=3.8']],
    ['cycler', ['0.12.1'], ['python >=3.8']],
    ['pyparsing', ['3.1.2'], ['python >=3.6']],
    ['munkres', ['1.1.4'], ['python']],
    ['typing-extensions', ['4.12.2'], ['typing_extensions 4.12.2 pyha770c72_0']],
    ['typing_extensions', ['4.12.2'], ['python >=3.8']],
    [
      'fastapi',
      ['0.111.1', '0.112.0'],
      [
        'python >=3.8',
        'starlette >=0.37.2,<0.38.0',
        'pydantic >=1.7.4,!=2.0.*,<3.0.0',
        'typing-extensions >=4.8.0',
      ],
    ],
    ['starlette', ['0.37.2'], ['anyio >=3.4.0,<5', 'python >=3.8', 'typing_extensions >=3.10.0']],
    [
      'anyio',
      ['4.4.0'],
      [
        'exceptiongroup >=1.0.2',
        'idna >=2.8',
        'python >=3.8',
        'sniffio >=1.1',
        'typing_extensions >=4.1',
      ],
    ],
    ['exceptiongroup', ['1.2.2'], ['python >=3.7']],
    ['sniffio', ['1.3.1'], ['python >=3.7']],
    [
      'pydantic',
      ['2.8.2'],
      [
        'annotated-types >=0.4.0',
        'pydantic-core 2.20.1',
        'python >=3.7',
        'typing-extensions >=4.6.1',
      ],
    ],
    ['annotated-types', ['0.7.0'], ['python >=3.7', 'typing-extensions >=4.0.0']],
    [
      'uvicorn',
      ['0.30.1', '0.30.5'],
      ['__unix', 'click >=7.0', 'h11 >=0.8', 'python >=3.8', 'typing_extensions >=4.0'],
    ],
    ['h11', ['0.14.0'], ['python >=3', 'typing_extensions']],
    ['tzdata', ['2024a'], []],
    ['brotli-python', ['1.1.0'], ['python >=3.8']],
    ['zstandard', ['0.23.0'], ['python >=3.8']],
    ['brotli', ['1.1.0'], []],
  ];
  for (const [name, versions, depends] of noarch) {
    for (const v of versions) {
      const unix = depends.includes('__unix');
      const build =
        name === 'typing_extensions' ? 'pyha770c72_0' : unix ? 'pyh707e725_0' : `pyhd8ed1ab_0`;
      const record = {
        name,
        version: v,
        build,
        build_number: 0,
        depends,
        noarch: name === 'tzdata' || name === 'brotli' ? 'generic' : 'python',
      };
      yield record;
      // conda-forge builds such packages twice: `__unix` and `__win` (so win-64 can lock them).
      if (unix) {
        const windows = depends.filter((d) => d !== '__unix');
        yield { ...record, build: 'pyh7428d3b_0', depends: ['__win', ...windows] };
      }
    }
  }
}

function* filler(subdir: string, target: number, already: number): Generator<Rec> {
  let made = already;
  for (let i = 0; made < target; i++) {
    const name = `${subdir === 'noarch' ? 'py' : 'cf'}-${hex(6)}-${i}`;
    const versions = 3 + Math.floor(random() * 6);
    for (let v = 0; v < versions && made < target; v++) {
      const version = `${1 + Math.floor(random() * 4)}.${v}.${Math.floor(random() * 10)}`;
      const variants = subdir === 'noarch' ? 1 : 4;
      for (let k = 0; k < variants && made < target; k++, made++) {
        const py = PY[k]!;
        yield subdir === 'noarch'
          ? {
              name,
              version,
              build: 'pyhd8ed1ab_0',
              build_number: 0,
              depends: ['python >=3.8', 'numpy >=1.21'],
              noarch: 'python',
            }
          : {
              name,
              version,
              build: `py${cp(py).slice(2)}h${hex(7)}_${k}`,
              build_number: k,
              depends: [...RUNTIME, ...pyDeps(py), 'libzlib >=1.2.13,<2.0a0'],
            };
      }
    }
  }
}

/** Linux-only dependencies dropped from the other platforms' records (their solvers have no `__glibc`). */
function forSubdir(subdir: string, records: Iterable<Rec>): Iterable<Rec> {
  if (subdir.startsWith('linux-') || subdir === 'noarch') return records;
  const linuxOnly = (d: string) => d.startsWith('__glibc') || d.startsWith('ld_impl_linux-64');
  return (function* () {
    for (const r of records) {
      if (r.name === 'ld_impl_linux-64') continue;
      yield { ...r, depends: r.depends.filter((d) => !linuxOnly(d)) };
    }
  })();
}

async function writeSubdir(dir: string, subdir: string, records: Iterable<Rec>): Promise<number> {
  await mkdir(join(dir, subdir), { recursive: true });
  const path = join(dir, subdir, 'repodata.json');
  const out = createWriteStream(`${path}.tmp`);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(`{"info":{"subdir":"${subdir}"},"packages":{},"packages.conda":{`);
  let count = 0;
  let chunk = '';
  for (const r of records) {
    const filename = `${r.name}-${r.version}-${r.build}.conda`;
    const record = {
      build: r.build,
      build_number: r.build_number,
      constrains: r.constrains ?? [],
      depends: r.depends,
      license: 'BSD-3-Clause',
      license_family: 'BSD',
      md5: hex(32),
      name: r.name,
      ...(r.noarch ? { noarch: r.noarch } : {}),
      sha256: hex(64),
      size: 10_000 + Math.floor(random() * 5_000_000),
      subdir,
      timestamp: 1_700_000_000_000 + Math.floor(random() * 1e10),
      version: r.version,
    };
    chunk += `${count ? ',' : ''}"${filename}":${JSON.stringify(record)}`;
    count++;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(`${chunk}},"repodata_version":1}`);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  await rename(`${path}.tmp`, path);
  return count;
}

/** The platforms besides linux-64 that `ensureScaleChannel` can add, each of linux-64's size. */
export const EXTRA_PLATFORMS = ['linux-aarch64', 'osx-arm64', 'win-64'];

export interface ScaleOptions {
  /** Platforms besides linux-64 (each with its own random filler and hashes). */
  extraPlatforms?: string[];
  /** Records per platform subdir; default conda-forge's linux-64 size. */
  records?: number;
  /** Records in noarch. */
  noarchRecords?: number;
}

/** Writes the scale channel into `dir` once (kept between runs, keyed by generator version and size). */
export async function ensureScaleChannel(
  dir: string,
  options: ScaleOptions = {},
): Promise<{ linux: number; noarch: number }> {
  const linuxTarget = options.records ?? LINUX_TARGET;
  const noarchTarget = options.noarchRecords ?? NOARCH_TARGET;
  const marker = join(dir, `generated-v${GENERATOR_VERSION}-${linuxTarget}-${noarchTarget}`);
  if (!existsSync(marker)) {
    seed = 0x9e3779b9;
    const linuxReal = [...realLinux()];
    const noarchReal = [...realNoarch()];
    await writeSubdir(
      dir,
      'linux-64',
      (function* () {
        yield* linuxReal;
        yield* filler('linux-64', linuxTarget, linuxReal.length);
      })(),
    );
    await writeSubdir(
      dir,
      'noarch',
      (function* () {
        yield* noarchReal;
        yield* filler('noarch', noarchTarget, noarchReal.length);
      })(),
    );
    await writeFile(marker, '');
  }
  for (const platform of options.extraPlatforms ?? []) {
    const done = `${marker}-${platform}`;
    if (existsSync(done)) continue;
    // A seed per platform, so a platform added later has the same records as one made at once.
    seed = [...platform].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5);
    const real = [...realLinux()];
    await writeSubdir(
      dir,
      platform,
      forSubdir(
        platform,
        (function* () {
          yield* real;
          yield* filler(platform, linuxTarget, real.length);
        })(),
      ),
    );
    await writeFile(done, '');
  }
  return { linux: linuxTarget, noarch: noarchTarget };
}
