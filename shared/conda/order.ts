import { dependencyName } from './match-spec';

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * conda's toposort (conda/common/toposort.py): level by level, each level in name order; python's
 * dependency on pip is dropped first (python must come before what needs it); any other cycle is
 * broken at the package with the fewest remaining dependencies (ties by name). Used for explicit
 * files, which conda installs in file order without a solve. Packages without any dependency data
 * (imported from an explicit file) keep their order: the file's producer already ordered them.
 */
export function condaInstallOrder<T extends { name: string; depends: string[] }>(
  packages: T[],
): T[] {
  if (packages.every((p) => p.depends.length === 0)) return [...packages];
  const byName = new Map(packages.map((p) => [p.name, p]));
  const data = new Map<string, Set<string>>();
  for (const p of packages) {
    const deps = new Set(
      p.depends.map(dependencyName).filter((d) => byName.has(d) && d !== p.name),
    );
    data.set(p.name, deps);
  }
  data.get('python')?.delete('pip');
  const order: string[] = [];
  while (data.size > 0) {
    const ready = [...data.entries()].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    if (ready.length === 0) {
      // A cycle: conda's pop_key takes the package with the fewest dependencies, then by name.
      const [name] = [...data.entries()].sort(
        ([a, da], [b, db]) => da.size - db.size || byCodePoint(a, b),
      )[0]!;
      ready.push(name);
    }
    ready.sort(byCodePoint);
    for (const name of ready) {
      order.push(name);
      data.delete(name);
    }
    for (const deps of data.values()) for (const name of ready) deps.delete(name);
  }
  return order.map((name) => byName.get(name)!);
}
