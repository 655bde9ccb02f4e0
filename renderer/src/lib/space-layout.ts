import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';

import type { PackageSpace } from '../../../shared/recipe/space';
import { removedBy } from '../../../shared/recipe/space';

/** One rectangle of the treemap: a package's folder (or the rest of a small package). */
export interface SpaceCell {
  key: string;
  packageName: string;
  folder: string;
  bytes: number;
  /** What the enabled rules remove from it. */
  removedBytes: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A package's frame around its folders, with its totals. */
export interface SpacePackage {
  name: string;
  bytes: number;
  removedBytes: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Node {
  name: string;
  folder?: string;
  bytes?: number;
  removed?: number;
  children?: Node[];
}

/** Past this many packages the rest are drawn as one block, so the picture stays readable. */
const MAX_PACKAGES = 40;
/** Folders smaller than this share of their package are merged into "other folders". */
const MIN_FOLDER_SHARE = 0.02;

/**
 * Squarified treemap of the environment: packages, then their folders, sized by bytes, with the
 * bytes the enabled rules remove from each folder (d3-hierarchy does the layout).
 */
export function layoutSpace(
  space: PackageSpace[],
  enabled: Set<string>,
  width: number,
  height: number,
): { packages: SpacePackage[]; cells: SpaceCell[] } {
  const sorted = [...space].filter((p) => p.installedBytes > 0);
  sorted.sort((a, b) => b.installedBytes - a.installedBytes);
  const big = sorted.slice(0, MAX_PACKAGES);
  const rest = sorted.slice(MAX_PACKAGES);
  const children: Node[] = big.map((pkg) => {
    const folders: Node[] = [];
    let otherBytes = 0;
    let otherRemoved = 0;
    for (const folder of pkg.folders) {
      const removed = removedBy(folder, enabled);
      if (folder.bytes >= pkg.installedBytes * MIN_FOLDER_SHARE) {
        folders.push({ name: pkg.name, folder: folder.path, bytes: folder.bytes, removed });
      } else {
        otherBytes += folder.bytes;
        otherRemoved += removed;
      }
    }
    if (otherBytes > 0) {
      folders.push({
        name: pkg.name,
        folder: 'other folders',
        bytes: otherBytes,
        removed: otherRemoved,
      });
    }
    return { name: pkg.name, children: folders };
  });
  if (rest.length > 0) {
    const bytes = rest.reduce((sum, p) => sum + p.installedBytes, 0);
    const removed = rest.reduce(
      (sum, p) => sum + p.folders.reduce((s, f) => s + removedBy(f, enabled), 0),
      0,
    );
    children.push({
      name: `${rest.length} smaller packages`,
      children: [{ name: `${rest.length} smaller packages`, folder: '', bytes, removed }],
    });
  }
  const root = hierarchy<Node>({ name: '', children })
    .sum((d) => d.bytes ?? 0)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const laid = treemap<Node>()
    .tile(treemapSquarify)
    .size([width, height])
    .paddingOuter(2)
    .paddingTop((d) => (d.depth === 1 ? 16 : 0))
    .paddingInner(1)
    .round(true)(root);
  const packages: SpacePackage[] = (laid.children ?? []).map((p) => ({
    name: p.data.name,
    bytes: p.value ?? 0,
    removedBytes: p.leaves().reduce((sum, l) => sum + (l.data.removed ?? 0), 0),
    x: p.x0,
    y: p.y0,
    width: p.x1 - p.x0,
    height: p.y1 - p.y0,
  }));
  const cells: SpaceCell[] = laid
    .leaves()
    .filter((l) => l.depth === 2)
    .map((l) => ({
      key: `${l.data.name}/${l.data.folder ?? ''}`,
      packageName: l.data.name,
      folder: l.data.folder ?? '',
      bytes: l.data.bytes ?? 0,
      removedBytes: l.data.removed ?? 0,
      x: l.x0,
      y: l.y0,
      width: l.x1 - l.x0,
      height: l.y1 - l.y0,
    }));
  return { packages, cells };
}
