import picomatch from 'picomatch';

/** One `.dockerignore` line, compiled. */
interface Rule {
  exclude: boolean;
  match: (path: string) => boolean;
}

/**
 * `.dockerignore` semantics of moby's patternmatcher: one pattern per line, `#` comments, leading `/`
 * and `./` dropped, `**` across folders, `!` re-includes, the last matching line wins, and a pattern
 * that matches a folder also matches everything below it.
 */
export function parseDockerignore(text: string): DockerignoreMatcher {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const exclude = !line.startsWith('!');
    if (!exclude) line = line.slice(1).trim();
    line = line.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
    if (!line || line === '.') continue;
    const matcher = picomatch(line, { dot: true });
    rules.push({ exclude, match: matcher });
  }
  const ignores = (path: string) => {
    // Check the path and each of its parent folders: `build` ignores `build/x/y`.
    const parts = path.split('/');
    let ignored = false;
    for (const rule of rules) {
      for (let i = parts.length; i >= 1; i--) {
        if (rule.match(parts.slice(0, i).join('/'))) {
          ignored = rule.exclude;
          break;
        }
      }
    }
    return ignored;
  };
  // With `!` lines an ignored folder may still hold re-included files, so the walker must descend.
  return { ignores, hasExceptions: rules.some((r) => !r.exclude) };
}

export interface DockerignoreMatcher {
  /** Whether a context-relative path (`/`-separated) is left out of the build context. */
  ignores(path: string): boolean;
  hasExceptions: boolean;
}
