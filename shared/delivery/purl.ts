import type { LockedPackage } from '../conda/lock-model';

// Package URLs as the purl spec defines its `conda` and `pypi` types.

const ANACONDA_HOSTS = new Set(['conda.anaconda.org', 'repo.anaconda.com']);

/** The channel a package URL comes from: its name on anaconda.org, else the channel URL itself. */
export function channelOf(url: string): string {
  const parsed = new URL(url);
  const segments = parsed.pathname.split('/').filter(Boolean);
  // <channel path>/<subdir>/<file>
  const channelPath = segments.slice(0, -2);
  if (ANACONDA_HOSTS.has(parsed.hostname) && channelPath.length > 0) return channelPath.at(-1)!;
  return `${parsed.protocol}//${parsed.host}/${channelPath.join('/')}`.replace(/\/$/, '');
}

/** purl spec: pypi names are lowercased, with runs of `_`, `.` and `-` as one `-` (PEP 503). */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function archiveType(url: string): string | undefined {
  if (url.endsWith('.conda')) return 'conda';
  if (url.endsWith('.tar.bz2')) return 'tar.bz2';
  return undefined;
}

export function purlOf(pkg: LockedPackage): string {
  const version = encodeURIComponent(pkg.version);
  if (pkg.manager === 'pip') return `pkg:pypi/${normalizePypiName(pkg.name)}@${version}`;
  // Qualifiers sorted by key, as the spec's canonical form wants.
  const qualifiers: [string, string | undefined][] = [
    ['build', pkg.build || undefined],
    ['channel', channelOf(pkg.url)],
    ['subdir', pkg.subdir || undefined],
    ['type', archiveType(pkg.url)],
  ];
  const query = qualifiers
    .filter((q): q is [string, string] => q[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `pkg:conda/${encodeURIComponent(pkg.name)}@${version}${query ? `?${query}` : ''}`;
}
