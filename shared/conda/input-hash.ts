import type { EffectiveEnvironment } from '../environment/effective-environment';

/** A virtual package the solver assumes on the target (`__glibc 2.28`). */
export interface VirtualPackage {
  name: string;
  version: string;
  build: string;
}

/** Python's `json.dumps(value, sort_keys=True)`: `", "` and `": "` separators, ASCII only. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
}

/** pydantic v2's `model_dump_json()`: compact, fields in declaration order. */
function compactJson(value: Record<string, unknown>): string {
  return JSON.stringify(value);
}

// conda-lock's default virtual packages (conda_lock/virtual_package.py,
// `default_virtual_package_repodata`): subdirs each one is published in.
const LINUX = ['linux-aarch64', 'linux-ppc64le', 'linux-64'];
const DEFAULT_VIRTUAL: { name: string; version: string; build?: string; subdirs: string[] }[] = [
  { name: '__unix', version: '0', subdirs: [...LINUX, 'osx-64', 'osx-arm64'] },
  { name: '__linux', version: '5.10', subdirs: LINUX },
  { name: '__win', version: '0', subdirs: ['win-64'] },
  { name: '__archspec', version: '1', build: 'x86_64', subdirs: ['win-64', 'linux-64', 'osx-64'] },
  { name: '__archspec', version: '1', build: 'arm64', subdirs: ['osx-arm64'] },
  { name: '__archspec', version: '1', build: 'aarch64', subdirs: ['linux-aarch64'] },
  { name: '__archspec', version: '1', build: 'ppc64le', subdirs: ['linux-ppc64le'] },
  { name: '__glibc', version: '2.28', subdirs: LINUX },
  { name: '__osx', version: '10.15', subdirs: ['osx-64'] },
  { name: '__osx', version: '11.0', subdirs: ['osx-64', 'osx-arm64'] },
];
const CUDA_SUBDIRS = [...LINUX, 'win-64'];
// datetime.datetime(2020, 1, 1).timestamp() in milliseconds, as conda-lock writes it.
const DEFAULT_TIME = 1577854800000;

/** One subdir of conda-lock's fake virtual-package repodata, as its content hash sees it. */
function fakeRepodata(
  subdir: string,
  packages: { name: string; version: string; build?: string }[],
) {
  const entries: Record<string, unknown> = {};
  for (const p of packages) {
    const build = p.build || '0';
    entries[`${p.name}-${p.version}-${build}.tar.bz2`] = {
      name: p.name,
      version: p.version,
      build_string: p.build ?? '',
      build_number: 0,
      noarch: '',
      depends: [],
      timestamp: DEFAULT_TIME,
      package_type: 'virtual_system',
      build,
      subdir,
    };
  }
  return { info: { subdir }, packages: entries };
}

/**
 * The virtual packages of one platform in conda-lock's form. `cuda`: undefined is conda-lock's
 * default (`__cuda 11.4` in the repodata), `''` none (`--without-cuda`), else that version.
 * `custom` stands for a `--virtual-package-spec` file listing exactly these packages.
 */
function virtualPackageHash(platform: string, cuda: string | undefined, custom?: VirtualPackage[]) {
  if (custom) {
    return {
      noarch: fakeRepodata('noarch', []),
      [platform]: fakeRepodata(
        platform,
        custom.map((v) => ({ ...v, build: v.build === '0' ? '' : v.build })),
      ),
    };
  }
  const packages = DEFAULT_VIRTUAL.filter((p) => p.subdirs.includes(platform));
  const version = cuda ?? '11.4';
  if (version !== '' && CUDA_SUBDIRS.includes(platform))
    packages.push({ name: '__cuda', version, subdirs: CUDA_SUBDIRS });
  return { noarch: fakeRepodata('noarch', []), [platform]: fakeRepodata(platform, packages) };
}

/** conda-lock's `Channel.from_string(...).json()`: the URL as written and the variables it uses. */
function channelJson(channel: string): string {
  const used = channel.includes('://')
    ? [...channel.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]!).sort()
    : [];
  return compactJson({ url: channel, used_env_vars: used });
}

/** A pip line as conda-lock's VersionedDependency (name, extras, specifier; URL lines as written). */
function pipDependency(line: string, category: string) {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(line.trim());
  const specifier = (match?.[3] ?? '').split(';')[0]!.replace(/\s/g, '');
  return {
    name: match?.[1] ?? line.trim(),
    manager: 'pip',
    category,
    extras: (match?.[2] ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)
      .sort(),
    version: specifier === '' ? '*' : specifier,
    build: null,
    conda_channel: null,
  };
}

export interface InputHashOptions {
  /** As `LockOptions.cuda`: undefined is conda-lock's default. */
  cuda?: string;
  /** Virtual packages replaced by the user: hashed as conda-lock's `--virtual-package-spec`. */
  customVirtualPackages?: VirtualPackage[];
}

/**
 * The text whose sha256 is conda-lock's `content_hash` for one platform (conda-lock 2.x,
 * `LockSpecification.content_hash_for_platform`): channels, the platform's specs sorted by
 * (manager, name), pip repositories, and the fake repodata of the virtual packages. Computing the
 * same text lets each tool see the other's fresh lock as fresh.
 */
export function inputHashText(
  env: Pick<
    EffectiveEnvironment,
    'platform' | 'channelsAsWritten' | 'conda' | 'pipAsWritten' | 'pipRepositories' | 'category'
  >,
  options: InputHashOptions = {},
): string {
  const category = env.category;
  const specs = new Map<string, Record<string, unknown>>();
  for (const d of env.conda) {
    specs.set(`conda\u0000${d.name}`, {
      name: d.name,
      manager: 'conda',
      category,
      extras: [],
      version: d.version ?? '',
      build: d.build ?? null,
      conda_channel: d.channel ?? null,
    });
  }
  const pip = env.pipAsWritten.filter((l) => !/^(-e\s|--)/.test(l.trim()));
  for (const line of pip) {
    const dep = pipDependency(line, category);
    specs.set(`pip\u0000${dep.name}`, dep);
  }
  // conda-lock adds `pip` as a conda dependency of any file with a pip section, replacing the user's.
  if (env.pipAsWritten.length > 0)
    specs.set('conda\u0000pip', {
      name: 'pip',
      manager: 'conda',
      category: 'main',
      extras: [],
      version: '*',
      build: null,
      conda_channel: null,
    });
  const sorted = [...specs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, v]) => v);
  const data: Record<string, unknown> = {
    channels: env.channelsAsWritten.filter((c) => c !== 'nodefaults').map(channelJson),
    specs: sorted,
    virtual_package_hash: virtualPackageHash(
      env.platform,
      options.cuda,
      options.customVirtualPackages,
    ),
  };
  if (env.pipRepositories.length > 0)
    data.pip_repositories = env.pipRepositories.map((url) => compactJson({ url }));
  return pythonJson(data);
}

/** `__glibc=2.28=0;__unix=0=0` form for lockfile metadata. */
export function formatVirtualPackages(list: VirtualPackage[]): string {
  return list.map((v) => `${v.name}=${v.version}=${v.build}`).join(';');
}

export function parseVirtualPackages(text: string): VirtualPackage[] {
  return text
    .split(';')
    .filter(Boolean)
    .map((item) => {
      const [name = '', version = '', build = '0'] = item.split('=');
      return { name, version, build };
    });
}

export const virtualPackagesKey = (platform: string) => `condense.virtual_packages.${platform}`;
/** custom_metadata key recording the `cuda` option the lock was made with (absent: default). */
export const cudaKey = (platform: string) => `condense.cuda.${platform}`;
