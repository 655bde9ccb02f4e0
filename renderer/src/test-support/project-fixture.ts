import type { BuildRecord, VariantResult } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import type { EnvironmentSpec, LockedPackage } from '../../../shared/api/lock';
import type { SavingsReport } from '../../../shared/api/recipe';
import { PRUNE_PRESETS } from '../../../shared/recipe/catalog';
import { defaultRecipe } from '../../../shared/recipe/model';
import { resolvePrune } from '../../../shared/recipe/prune-commands';
import type { PackageFileList } from '../../../shared/recipe/savings';
import { estimateSavings } from '../../../shared/recipe/savings';
import { environmentSpace } from '../../../shared/recipe/space';
import type { FakeHandlers } from './fake-api';

const MIB = 1024 * 1024;

/** Files of a small python environment; sizes chosen so rules differ clearly. */
export const FILE_LISTS: PackageFileList[] = [
  {
    name: 'python',
    version: '3.11.9',
    build: 'h_0',
    files: [
      { path: 'bin/python3.11', type: 'file', size: 6 * MIB },
      { path: 'lib/libpython3.11.so.1.0', type: 'file', size: 20 * MIB },
      { path: 'lib/python3.11/idlelib/editor.py', type: 'file', size: 2 * MIB },
      { path: 'lib/python3.11/ensurepip/_bundled/pip.whl', type: 'file', size: 2 * MIB },
      { path: 'include/python3.11/Python.h', type: 'file', size: 1 * MIB },
      { path: 'lib/python3.11/os.py', type: 'file', size: 40 * MIB },
    ],
  },
  {
    name: 'numpy',
    version: '1.26.4',
    build: 'py311_0',
    files: [
      {
        path: 'lib/python3.11/site-packages/numpy/core/_multiarray.so',
        type: 'file',
        size: 30 * MIB,
      },
      { path: 'lib/python3.11/site-packages/numpy/tests/test_a.py', type: 'file', size: 4 * MIB },
      {
        path: 'lib/python3.11/site-packages/numpy/__pycache__/x.cpython-311.pyc',
        type: 'file',
        size: 3 * MIB,
      },
      { path: 'lib/libnpymath.a', type: 'file', size: 3 * MIB },
    ],
  },
];

/**
 * The savings report the service would send, computed with the real shared estimator: every catalog
 * rule and the given custom globs, on `FILE_LISTS` or the given file lists.
 */
export function savingsReport(
  options: { custom?: string[]; files?: PackageFileList[] } = {},
): SavingsReport {
  const platform = 'linux-64';
  const files = options.files ?? FILE_LISTS;
  const custom = options.custom ?? [];
  const all = resolvePrune(
    {
      preset: 'expert',
      add: [...PRUNE_PRESETS.expert, ...PRUNE_PRESETS.safe],
      remove: [],
      custom,
      force: custom,
    },
    platform,
  );
  const estimate = estimateSavings(files, all, '/env');
  return {
    lockfile: 'conda-linux-64.lock',
    packages: files.length,
    cachedPackages: 0,
    environmentBytes: estimate.environmentBytes,
    environmentFiles: estimate.environmentFiles,
    rules: estimate.rules.map((r) => ({ ...r, selected: false })),
    selections: [],
    space: environmentSpace(files, all, '/env'),
    warnings: [],
  };
}

export const ENVIRONMENT: EnvironmentSpec = {
  name: 'churn',
  channels: ['conda-forge', 'bioconda'],
  dependencies: [
    { raw: 'python=3.11', name: 'python', version: '3.11.*' },
    { raw: 'numpy>=1.26', name: 'numpy', version: '>=1.26' },
  ],
  pip: [],
  pipSelectors: {},
  platforms: [],
  variables: {},
  pipRepositories: [],
  warnings: [],
};

export function lockedPackage(name: string, version: string, size: number): LockedPackage {
  return {
    name,
    version,
    build: 'h_0',
    buildNumber: 0,
    platform: 'linux-64',
    subdir: 'linux-64',
    url: `http://127.0.0.1:9/conda-forge/linux-64/${name}-${version}-h_0.conda`,
    md5: '0'.repeat(32),
    depends: [],
    size,
    manager: 'conda',
    category: 'main',
    optional: false,
  };
}

export function variantResult(id: string, layers: [string, number][]): VariantResult {
  return {
    id,
    rules: [],
    state: 'succeeded',
    imageId: `sha256:${id}`,
    tags: [],
    sizeBytes: layers.reduce((sum, [, bytes]) => sum + bytes, 0),
    layers: layers.map(([createdBy, sizeBytes]) => ({ createdBy, sizeBytes, created: '' })),
    durationMs: 1000,
    cachedSteps: 0,
    totalSteps: 3,
  };
}

export function buildRecord(id: string, startedAt: string, variants: VariantResult[]): BuildRecord {
  return {
    id,
    startedAt,
    finishedAt: startedAt,
    durationMs: 1000,
    state: 'succeeded',
    builder: 'buildkit',
    engine: { host: 'unix:///x.sock', context: 'default', version: '20.10', architecture: 'amd64' },
    dockerfileSha256: '0'.repeat(64),
    variants,
  };
}

/** Handlers of a locked project with no builds; tests override what they exercise. */
export function projectHandlers(): FakeHandlers {
  let recipe = defaultRecipe();
  let revision = 1;
  let environment = structuredClone(ENVIRONMENT);
  return {
    'app:info': () => ({ name: 'Condense', version: '0.0.0', mode: 'browser' }),
    'project:recent': () => [],
    'project:open': (r) => ({ dir: r.dir, name: 'churn', created: [] }),
    'project:createExample': () => ({
      dir: '/home/me/condense-example-service',
      name: 'condense-example-service',
      created: ['environment.yml'],
    }),
    'project:create': (r) => ({ dir: r.dir, name: r.name ?? 'new', created: ['environment.yml'] }),
    'environment:read': () => ({ text: '', spec: environment, revision: 'r1' }),
    'environment:update': ({ edits }) => {
      for (const edit of edits) {
        if (edit.removeDependency) {
          environment = {
            ...environment,
            dependencies: environment.dependencies.filter((d) => d.name !== edit.removeDependency),
          };
        }
        if (edit.setDependency) {
          const [name = '', version] = edit.setDependency.split(/(?=[<>=! ])/);
          const others = environment.dependencies.filter((d) => d.name !== name);
          environment = {
            ...environment,
            dependencies: [
              ...others,
              { raw: edit.setDependency, name, ...(version ? { version: version.trim() } : {}) },
            ],
          };
        }
        if (edit.channels) environment = { ...environment, channels: edit.channels };
      }
      return { text: '', spec: environment, revision: 'r2', changed: true };
    },
    'lock:status': () => ({ locked: true, stale: false, platforms: [], missingPlatforms: [] }),
    'lock:read': () => ({
      packages: [
        lockedPackage('python', '3.11.9', 30 * MIB),
        lockedPackage('numpy', '1.26.4', 8 * MIB),
      ],
      platforms: ['linux-64'],
      channels: ['conda-forge'],
    }),
    'recipe:get': () => ({ recipe, exists: true, issues: [], revision: `r${revision}` }),
    'recipe:save': (r) => {
      // Like the service: a save from another revision than the stored one is refused.
      if (r.baseRevision !== `r${revision}`) {
        throw new CondenseError(
          'CONFLICT',
          'condense.yml changed on disk since Condense read it.',
          {
            revision: `r${revision}`,
          },
        );
      }
      recipe = r.recipe;
      revision += 1;
      return { recipe, exists: true, issues: [], revision: `r${revision}` };
    },
    'recipe:analyze': () => ({ jobId: 'analyze-1' }),
    'build:list': () => [],
    'build:images': () => [],
    'build:get': ({ buildId }) => {
      throw new Error(`no build ${buildId}`);
    },
    'jobs:cancel': () => ({ cancelled: true }),
    'trace:list': () => [],
    'project:watch': () => ({ jobId: 'watch-1' }),
  };
}
