import { selectorMatcher } from '../recipe/match';

/** Sorted prefix-relative paths, searched by a glob's literal beginning (every match starts with it). */
export class PathIndex {
  private readonly paths: string[];
  constructor(paths: Iterable<string>) {
    this.paths = [...paths].sort();
  }

  /** The paths `rm -rf <prefix>/<glob>` takes (itself, or with a folder holding it). */
  *takenBy(glob: string): Generator<string> {
    const wildcard = glob.search(/[*?]/);
    const literal = wildcard === -1 ? glob : glob.slice(0, wildcard);
    const matches = selectorMatcher({ kind: 'paths', paths: [glob] }, '');
    let lo = 0;
    let hi = this.paths.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.paths[mid]! < literal) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.paths.length && this.paths[i]!.startsWith(literal); i += 1) {
      if (matches({ path: this.paths[i]!, type: 'file' })) yield this.paths[i]!;
    }
  }

  hitBy(glob: string): boolean {
    return !this.takenBy(glob).next().done;
  }
}
