import { dependencyName } from './match-spec';

/**
 * Orders packages so that each comes after its dependencies (explicit files are installed in file
 * order without a solve). Ties and cycles are broken by input order, so the result is byte-stable
 * for the same input and an imported explicit file (no dependency data) keeps its order.
 */
export function topologicalOrder<T extends { name: string; depends: string[] }>(
  packages: T[],
): T[] {
  const byName = new Map(packages.map((p, index) => [p.name, index]));
  const remaining = packages.map((p) => {
    const deps = new Set<number>();
    for (const dependency of p.depends) {
      const index = byName.get(dependencyName(dependency));
      if (index !== undefined && packages[index] !== p) deps.add(index);
    }
    return deps;
  });
  const placed = new Array<boolean>(packages.length).fill(false);
  const result: T[] = [];
  while (result.length < packages.length) {
    let next = -1;
    for (let i = 0; i < packages.length; i++) {
      if (!placed[i] && [...remaining[i]!].every((d) => placed[d])) {
        next = i;
        break;
      }
    }
    // A cycle: place the first unplaced package, which is what conda does too (order within a cycle).
    if (next < 0) next = placed.indexOf(false);
    placed[next] = true;
    result.push(packages[next]!);
  }
  return result;
}
