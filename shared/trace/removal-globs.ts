import { customGlobProblem } from '../recipe/guards';
import type { KeepPlan } from './keep';
import { PathIndex } from './path-index';

/** One custom glob of the suggestion and what it removes of the traced image. */
export interface RemovalGlob {
  /** Relative to the prefix, as `custom:` takes it. */
  glob: string;
  /** Needs `force: true`: the whole of a top-level folder (the share guard is the caller's). */
  forced: boolean;
  /** The removable files it takes, prefix-relative. */
  paths: string[];
  bytes: number;
}

/** A folder, file or symlink of the prefix with what below it must stay or may go. */
interface Node {
  name: string;
  rel: string;
  children: Map<string, Node>;
  /** Something below (or the folder itself, listed or stat'ed by a check) must stay. */
  keeps: boolean;
  /** How many removable files are at or below. */
  removable: number;
}

function node(name: string, rel: string): Node {
  return { name, rel, children: new Map(), keeps: false, removable: 0 };
}

const SAFE_CHAR = /[A-Za-z0-9._+@-]/;

/**
 * A name as a glob segment: characters the Dockerfile cannot carry unquoted become wildcards, `?`
 * for one ASCII character; a run of other characters becomes `*`, since `?` would match one byte in
 * a C-locale shell and one character in a UTF-8 one.
 */
export function nameGlob(name: string): string {
  let out = '';
  for (const char of name) {
    if (SAFE_CHAR.test(char)) out += char;
    else if (char.charCodeAt(0) < 0x80) out += '?';
    else if (!out.endsWith('*')) out += '*';
  }
  return out;
}

function buildTree(plan: KeepPlan): Node {
  const root = node('', '');
  const at = (rel: string): Node => {
    let current = root;
    for (const name of rel.split('/')) {
      let child = current.children.get(name);
      if (!child) {
        child = node(name, current.rel === '' ? name : `${current.rel}/${name}`);
        current.children.set(name, child);
      }
      current = child;
    }
    return current;
  };
  const along = (rel: string, visit: (n: Node) => void) => {
    visit(root);
    let current = root;
    for (const name of rel.split('/')) {
      current = current.children.get(name)!;
      visit(current);
    }
  };
  for (const rel of [...plan.kept, ...plan.usedFolders]) {
    at(rel);
    along(rel, (n) => (n.keeps = true));
  }
  for (const file of plan.removable) {
    at(file.rel!);
    along(file.rel!, (n) => (n.removable += 1));
  }
  return root;
}

const byName = (a: Node, b: Node) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Sibling names sharing the part before their first dot (`libz.so`, `libz.so.1`: `libz`). */
function stemOf(name: string): string | undefined {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : undefined;
}

/**
 * The fewest readable globs (as the walk below finds them) that remove exactly the plan's removable
 * files and nothing it keeps: a folder with nothing to keep becomes one glob, siblings named
 * `stem.*` are taken together when no kept sibling shares the stem, and a folder with something to
 * keep is entered. Every glob passes recipe validation (forced where it takes a whole top-level
 * folder) and is checked with the real matcher against every kept path; a name that cannot be
 * written safely is entered (a folder) or left (a file). Sorted by glob.
 */
export function removalGlobs(plan: KeepPlan, topLevel: Iterable<string>): RemovalGlob[] {
  const root = buildTree(plan);
  const keptPaths = new PathIndex([...plan.kept, ...plan.usedFolders]);
  const names = [...topLevel];
  const accepted: { glob: string; forced: boolean }[] = [];

  const accept = (glob: string): boolean => {
    let forced = false;
    if (customGlobProblem(glob, false, names) !== null) {
      if (customGlobProblem(glob, true, names) !== null) return false;
      forced = true;
    }
    if (keptPaths.hitBy(glob)) return false;
    accepted.push({ glob, forced });
    return true;
  };

  const walk = (folder: Node, parentGlob: string) => {
    const children = [...folder.children.values()].filter((c) => c.removable > 0).sort(byName);
    const whole = children.filter((c) => !c.keeps);
    const stems = new Map<string, Node[]>();
    for (const child of whole) {
      const stem = stemOf(child.name);
      if (stem !== undefined && nameGlob(stem) === stem)
        stems.set(stem, [...(stems.get(stem) ?? []), child]);
    }
    const done = new Set<Node>();
    for (const [stem, group] of stems) {
      if (group.length < 2) continue;
      if (accept(`${parentGlob}${stem}.*`)) for (const n of group) done.add(n);
    }
    for (const child of children) {
      if (done.has(child)) continue;
      const glob = `${parentGlob}${nameGlob(child.name)}`;
      if (!child.keeps && accept(glob)) continue;
      if (child.children.size > 0) walk(child, `${glob}/`);
    }
  };
  walk(root, '');
  return attribute(accepted, plan);
}

/**
 * Each removable file counted once, for the first glob (in glob order) that takes it: a wildcard
 * written for an unsafe name may also take a sibling that has its own glob.
 */
function attribute(accepted: { glob: string; forced: boolean }[], plan: KeepPlan): RemovalGlob[] {
  const sizes = new Map(plan.removable.map((f) => [f.rel!, f.size]));
  const index = new PathIndex(sizes.keys());
  const taken = new Set<string>();
  return accepted
    .sort((a, b) => (a.glob < b.glob ? -1 : a.glob > b.glob ? 1 : 0))
    .map(({ glob, forced }) => {
      const paths = [...index.takenBy(glob)].filter((path) => !taken.has(path));
      for (const path of paths) taken.add(path);
      return { glob, forced, paths, bytes: paths.reduce((sum, p) => sum + sizes.get(p)!, 0) };
    });
}
