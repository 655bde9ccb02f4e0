import type { EnvFile } from './match';
import { selectorMatcher } from './match';
import type { ResolvedRule } from './prune-commands';

/** A file of a locked package as installed in the environment (path relative to the prefix). */
export interface InstalledFile extends EnvFile {
  size: number;
}

/** A locked package and the files it installs. */
export interface PackageFileList {
  name: string;
  version: string;
  build: string;
  files: InstalledFile[];
}

/** The packages owning a rule's files, largest share first. */
export interface OwnerShare {
  name: string;
  bytes: number;
  files: number;
}

/** What one rule removes. */
export interface RuleSaving {
  ruleId: string;
  title: string;
  risk: ResolvedRule['risk'];
  bytes: number;
  files: number;
  owners: OwnerShare[];
}

export interface SavingsEstimate {
  /** Bytes of every file of every package: the environment before pruning. */
  environmentBytes: number;
  environmentFiles: number;
  rules: RuleSaving[];
  /** Bytes removed by all rules together, each file counted once even if several rules match it. */
  totalBytes: number;
  totalFiles: number;
}

/**
 * Matches every rule against the environment's files. When packages clobber the same path, the last
 * one in the list (install order) owns it, as conda leaves it.
 */
export function estimateSavings(
  packages: PackageFileList[],
  rules: ResolvedRule[],
  prefix: string,
): SavingsEstimate {
  const byPath = new Map<string, { file: InstalledFile; owner: string }>();
  for (const pkg of packages) {
    for (const file of pkg.files) byPath.set(file.path, { file, owner: pkg.name });
  }
  const matchers = rules.map((rule) => selectorMatcher(rule.selector, prefix));
  const perRule = rules.map(() => ({ bytes: 0, files: 0, owners: new Map<string, OwnerShare>() }));
  let environmentBytes = 0;
  let totalBytes = 0;
  let totalFiles = 0;
  for (const { file, owner } of byPath.values()) {
    environmentBytes += file.size;
    let matched = false;
    matchers.forEach((matches, i) => {
      if (!matches(file)) return;
      matched = true;
      const acc = perRule[i]!;
      acc.bytes += file.size;
      acc.files += 1;
      const share = acc.owners.get(owner) ?? { name: owner, bytes: 0, files: 0 };
      share.bytes += file.size;
      share.files += 1;
      acc.owners.set(owner, share);
    });
    if (matched) {
      totalBytes += file.size;
      totalFiles += 1;
    }
  }
  return {
    environmentBytes,
    environmentFiles: byPath.size,
    rules: rules.map((rule, i) => ({
      ruleId: rule.id,
      title: rule.title,
      risk: rule.risk,
      bytes: perRule[i]!.bytes,
      files: perRule[i]!.files,
      owners: [...perRule[i]!.owners.values()].sort(
        (a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name),
      ),
    })),
    totalBytes,
    totalFiles,
  };
}
