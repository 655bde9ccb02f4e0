import { CondenseError } from '../api/errors';
import type { LockedPackage } from '../conda/lock-model';
import { evaluateMarker } from './marker';
import { normalizePipName, parseRequirement } from './requirement';

/** The parts of pip's installation report (`pip install --dry-run --report`, version 1) Condense reads. */
export interface PipReport {
  version: string;
  pip_version: string;
  install: PipReportItem[];
  /** Marker values of the environment pip resolved for. */
  environment: Record<string, string>;
}

export interface PipReportItem {
  download_info: {
    url: string;
    archive_info?: { hash?: string; hashes?: Record<string, string> };
    dir_info?: unknown;
    vcs_info?: unknown;
  };
  is_direct?: boolean;
  requested?: boolean;
  requested_extras?: string[];
  metadata: {
    name: string;
    version: string;
    requires_dist?: string[];
    requires_python?: string;
  };
}

/** Reads and checks a report: throws INTERNAL naming what pip left out. */
export function parsePipReport(text: string): PipReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CondenseError('INTERNAL', 'pip wrote no readable installation report');
  }
  const report = data as PipReport;
  if (report?.version !== '1' || !Array.isArray(report.install))
    throw new CondenseError(
      'INTERNAL',
      `pip's installation report has version ${String(report?.version)}; Condense reads version 1 (pip 22.2 or newer)`,
    );
  return report;
}

function sha256Of(item: PipReportItem): string {
  const info = item.download_info.archive_info;
  const hash = info?.hashes?.sha256 ?? /^sha256=([0-9a-f]{64})$/.exec(info?.hash ?? '')?.[1];
  if (!hash) {
    throw new CondenseError(
      'INVALID_INPUT',
      `pip package ${item.metadata.name}: its index gives no sha256 for ${item.download_info.url}, so it cannot be installed with --require-hashes; publish it with a sha256 or pin a URL ending in #sha256=...`,
    );
  }
  return hash;
}

/** Extras asked of each package: by the user's requirements and by the requirements of the others. */
function requestedExtras(report: PipReport): Map<string, Set<string>> {
  const extras = new Map<string, Set<string>>();
  const add = (name: string, list: string[]) => {
    const set = extras.get(name) ?? new Set<string>();
    for (const e of list) set.add(e);
    extras.set(name, set);
  };
  for (const item of report.install)
    add(normalizePipName(item.metadata.name), item.requested_extras ?? []);
  // Extras switch on more requirements, which may ask extras of others: repeat until nothing grows.
  for (let round = 0; round < 5; round++) {
    let grew = false;
    for (const item of report.install) {
      const own = [...(extras.get(normalizePipName(item.metadata.name)) ?? [])];
      for (const line of item.metadata.requires_dist ?? []) {
        const r = safeRequirement(line);
        if (!r || !r.extras.length) continue;
        if (r.markerTree && !evaluateMarker(r.markerTree, report.environment, own)) continue;
        const before = extras.get(r.normalized)?.size ?? 0;
        add(r.normalized, r.extras);
        if ((extras.get(r.normalized)?.size ?? 0) > before) grew = true;
      }
    }
    if (!grew) break;
  }
  return extras;
}

function safeRequirement(line: string) {
  try {
    return parseRequirement(line);
  } catch {
    return undefined;
  }
}

export interface PipRecordOptions {
  platform: string;
  category?: string;
  /** Sizes in bytes by URL, where the index told them. */
  sizes?: Map<string, number>;
}

/**
 * conda-lock's pip entries (`manager: pip`) from pip's report: absolute URL, sha256, and as
 * dependencies the requirements that apply in this environment with the extras that were asked.
 */
export function pipLockedPackages(report: PipReport, options: PipRecordOptions): LockedPackage[] {
  const extras = requestedExtras(report);
  return report.install.map((item): LockedPackage => {
    const name = normalizePipName(item.metadata.name);
    const url = item.download_info.url;
    if (item.download_info.dir_info || item.download_info.vcs_info || !/^https?:\/\//.test(url))
      throw new CondenseError(
        'INVALID_INPUT',
        `pip package ${name} comes from ${url}, which cannot be locked with a hash; use a wheel or sdist URL`,
      );
    const own = [...(extras.get(name) ?? [])];
    const depends: string[] = [];
    for (const line of item.metadata.requires_dist ?? []) {
      const r = safeRequirement(line);
      if (!r) continue;
      if (r.markerTree && !evaluateMarker(r.markerTree, report.environment, own)) continue;
      depends.push(r.specifier ? `${r.normalized} ${r.specifier}` : r.normalized);
    }
    const size = options.sizes?.get(url);
    return {
      name,
      version: item.metadata.version,
      build: '',
      buildNumber: 0,
      platform: options.platform,
      subdir: 'pypi',
      url,
      md5: '',
      sha256: sha256Of(item),
      depends,
      ...(size !== undefined ? { size } : {}),
      manager: 'pip',
      category: options.category ?? 'main',
      optional: false,
    };
  });
}

/** `name @ url#sha256=...`: conda-lock's explicit-file form, also what `pip install --require-hashes` takes. */
export function pipDirectReference(p: LockedPackage): string {
  return `${p.name} @ ${p.url}${p.sha256 ? `#sha256=${p.sha256}` : ''}`;
}

/** The prefix of pip lines in explicit lockfiles (conda skips them as comments). */
export const PIP_LINE_PREFIX = '# pip ';

/** The requirements file the image installs with `pip install --no-deps --require-hashes -r`. */
export function pipRequirementsText(packages: LockedPackage[], platform: string): string {
  const lines = packages
    .filter((p) => p.manager === 'pip' && p.platform === platform)
    .map((p) => {
      if (!p.sha256)
        throw new CondenseError(
          'INVALID_INPUT',
          `pip package ${p.name} has no sha256 in the lock: lock again`,
        );
      return pipDirectReference(p);
    });
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The requirements text inside an explicit lockfile: its `# pip ` lines without the prefix. */
export function pipRequirementsFromExplicit(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .filter((l) => l.startsWith(PIP_LINE_PREFIX))
    .map((l) => l.slice(PIP_LINE_PREFIX.length));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Version of a wheel or sdist from its file name (`name-1.0-py3-none-any.whl`, `name-1.0.tar.gz`). */
export function versionFromFilename(filename: string): string | undefined {
  const wheel = /^[^-]+-([^-]+)(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/.exec(filename);
  if (wheel) return wheel[1];
  return /^.+-([0-9][^-]*)\.(tar\.gz|zip|tar\.bz2)$/.exec(filename)?.[1];
}

/** Reads a `# pip name @ url#sha256=...` line back into a lock record (for imported explicit files). */
export function parsePipLine(line: string, platform: string): LockedPackage | undefined {
  const match = /^# pip ([A-Za-z0-9._-]+) @ (\S+?)(?:#sha256=([0-9a-f]{64}))?$/.exec(line.trim());
  if (!match) return undefined;
  const url = match[2]!;
  const filename = decodeURIComponent(url.split('/').pop() ?? '');
  return {
    name: normalizePipName(match[1]!),
    version: versionFromFilename(filename) ?? '',
    build: '',
    buildNumber: 0,
    platform,
    subdir: 'pypi',
    url,
    md5: '',
    ...(match[3] ? { sha256: match[3] } : {}),
    depends: [],
    manager: 'pip',
    category: 'main',
    optional: false,
  };
}
