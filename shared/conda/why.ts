import type { LockedPackage } from './lock-model';

/** `libgcc-ng >=12` -> `libgcc-ng`; `python_abi 3.11.* *_cp311` -> `python_abi`. */
export function dependencyName(spec: string): string {
  return (/^[^\s=<>!~[]+/.exec(spec.trim())?.[0] ?? '').split('::').pop()!.toLowerCase();
}

/** Why a locked package is in the environment. */
export interface PackageReason {
  /** Listed in environment.yml. */
  requested: boolean;
  /**
   * The shortest chain from a requested package to this one (`['pandas', 'numpy', 'libblas']`);
   * just the name for a requested package, empty when nothing requested depends on it.
   */
  path: string[];
}

/**
 * For every package of one platform: requested or pulled in, and the shortest dependency path from
 * what environment.yml asks for (breadth first over the lock's `depends`).
 */
export function packageReasons(
  packages: Pick<LockedPackage, 'name' | 'depends'>[],
  requested: Iterable<string>,
): Map<string, PackageReason> {
  const byName = new Map(packages.map((p) => [p.name.toLowerCase(), p]));
  const wanted = new Set([...requested].map((n) => n.toLowerCase()));
  const paths = new Map<string, string[]>();
  const queue: string[] = [];
  for (const name of byName.keys()) {
    if (wanted.has(name)) {
      paths.set(name, [byName.get(name)!.name]);
      queue.push(name);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i]!;
    for (const spec of byName.get(name)?.depends ?? []) {
      const dep = dependencyName(spec);
      if (!byName.has(dep) || paths.has(dep)) continue;
      paths.set(dep, [...paths.get(name)!, byName.get(dep)!.name]);
      queue.push(dep);
    }
  }
  const reasons = new Map<string, PackageReason>();
  for (const [name, pkg] of byName) {
    reasons.set(pkg.name, { requested: wanted.has(name), path: paths.get(name) ?? [] });
  }
  return reasons;
}
