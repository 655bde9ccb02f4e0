import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';

import type { PackageSpace } from '../../../shared/recipe/space';
import { removedBy } from '../../../shared/recipe/space';

/** A folder as the treemap takes it: its bytes, the part drawn shaded, and that part by rule id. */
export interface TreemapFolderInput {
  path: string;
  bytes: number;
  /** The shaded part: what the rules remove (Image screen) or what no check used (trace). */
  shadedBytes: number;
  /** Of the shaded part, bytes per rule id (summed when small folders merge). */
  byRule?: Record<string, number>;
}

/** A package as the treemap takes it. */
export interface TreemapPackageInput {
  name: string;
  bytes: number;
  folders: TreemapFolderInput[];
}

/** One rectangle of a treemap: a package's folder (or the rest of a small package). */
export interface TreemapCell {
  key: string;
  packageName: string;
  folder: string;
  bytes: number;
  shadedBytes: number;
  byRule: Record<string, number>;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A package's frame around its folders, with its totals. */
export interface TreemapFrame {
  name: string;
  bytes: number;
  shadedBytes: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One rectangle of the Image screen's treemap. */
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

/** A package's frame around its folders, with its totals (Image screen). */
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
  shaded?: number;
  byRule?: Record<string, number>;
  children?: Node[];
}

/** Past this many packages the rest are drawn as one block, so the picture stays readable. */
const MAX_PACKAGES = 40;
/** Folders smaller than this share of their package are merged into "other folders". */
const MIN_FOLDER_SHARE = 0.02;

function addInto(into: Record<string, number>, from: Record<string, number> | undefined): void {
  for (const [id, bytes] of Object.entries(from ?? {})) into[id] = (into[id] ?? 0) + bytes;
}

/**
 * Squarified treemap of packages, then their folders, sized by bytes, each folder carrying a shaded
 * part (d3-hierarchy does the layout). Shared by the Image screen (what the rules remove) and the
 * trace report (what no check used).
 */
export function layoutTreemap(
  input: TreemapPackageInput[],
  width: number,
  height: number,
): { packages: TreemapFrame[]; cells: TreemapCell[] } {
  const sorted = input.filter((p) => p.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  const big = sorted.slice(0, MAX_PACKAGES);
  const rest = sorted.slice(MAX_PACKAGES);
  const children: Node[] = big.map((pkg) => {
    const folders: Node[] = [];
    let otherBytes = 0;
    let otherShaded = 0;
    const otherByRule: Record<string, number> = {};
    for (const folder of pkg.folders) {
      if (folder.bytes >= pkg.bytes * MIN_FOLDER_SHARE) {
        folders.push({
          name: pkg.name,
          folder: folder.path,
          bytes: folder.bytes,
          shaded: folder.shadedBytes,
          byRule: { ...folder.byRule },
        });
      } else {
        otherBytes += folder.bytes;
        otherShaded += folder.shadedBytes;
        addInto(otherByRule, folder.byRule);
      }
    }
    if (otherBytes > 0) {
      folders.push({
        name: pkg.name,
        folder: 'other folders',
        bytes: otherBytes,
        shaded: otherShaded,
        byRule: otherByRule,
      });
    }
    return { name: pkg.name, children: folders };
  });
  if (rest.length > 0) {
    const name = `${rest.length} smaller packages`;
    const byRule: Record<string, number> = {};
    for (const p of rest) for (const f of p.folders) addInto(byRule, f.byRule);
    children.push({
      name,
      children: [
        {
          name,
          folder: '',
          bytes: rest.reduce((sum, p) => sum + p.bytes, 0),
          shaded: rest.reduce(
            (sum, p) => sum + p.folders.reduce((s, f) => s + f.shadedBytes, 0),
            0,
          ),
          byRule,
        },
      ],
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
  const packages: TreemapFrame[] = (laid.children ?? []).map((p) => ({
    name: p.data.name,
    bytes: p.value ?? 0,
    shadedBytes: p.leaves().reduce((sum, l) => sum + (l.data.shaded ?? 0), 0),
    x: p.x0,
    y: p.y0,
    width: p.x1 - p.x0,
    height: p.y1 - p.y0,
  }));
  const cells: TreemapCell[] = laid
    .leaves()
    .filter((l) => l.depth === 2)
    .map((l) => ({
      key: `${l.data.name}/${l.data.folder ?? ''}`,
      packageName: l.data.name,
      folder: l.data.folder ?? '',
      bytes: l.data.bytes ?? 0,
      shadedBytes: l.data.shaded ?? 0,
      byRule: l.data.byRule ?? {},
      x: l.x0,
      y: l.y0,
      width: l.x1 - l.x0,
      height: l.y1 - l.y0,
    }));
  return { packages, cells };
}

/**
 * The Image screen's treemap of the environment: packages, then their folders, sized by bytes, with
 * the bytes the enabled rules remove from each folder.
 */
export function layoutSpace(
  space: PackageSpace[],
  enabled: Set<string>,
  width: number,
  height: number,
): { packages: SpacePackage[]; cells: SpaceCell[] } {
  const input = space.map((pkg) => ({
    name: pkg.name,
    bytes: pkg.installedBytes,
    folders: pkg.folders.map((f) => ({
      path: f.path,
      bytes: f.bytes,
      shadedBytes: removedBy(f, enabled),
    })),
  }));
  const laid = layoutTreemap(input, width, height);
  return {
    packages: laid.packages.map(({ shadedBytes, ...p }) => ({ ...p, removedBytes: shadedBytes })),
    cells: laid.cells.map(({ shadedBytes, byRule: _byRule, ...c }) => ({
      ...c,
      removedBytes: shadedBytes,
    })),
  };
}
