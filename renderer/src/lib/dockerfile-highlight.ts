/** Token classes of the Dockerfile preview. */
export type DockerfileTokenKind =
  'instruction' | 'comment' | 'string' | 'flag' | 'variable' | 'text';

export interface DockerfileToken {
  kind: DockerfileTokenKind;
  text: string;
}

const INSTRUCTION =
  /^(\s*)(FROM|RUN|CMD|LABEL|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL|AS)\b/i;

/**
 * Tokenises one Dockerfile line for highlighting. Lines continued with a backslash are
 * highlighted on their own: only the first line of an instruction starts with the keyword.
 */
export function highlightDockerfileLine(line: string): DockerfileToken[] {
  if (/^\s*#/.test(line)) return [{ kind: 'comment', text: line }];
  const tokens: DockerfileToken[] = [];
  let rest = line;
  const keyword = INSTRUCTION.exec(rest);
  if (keyword) {
    if (keyword[1]) tokens.push({ kind: 'text', text: keyword[1] });
    tokens.push({ kind: 'instruction', text: keyword[2] ?? '' });
    rest = rest.slice(keyword[0].length);
  }
  const pattern =
    /("(?:[^"\\]|\\.)*"?|'[^']*'?)|(--[a-z][a-z-]*(?:=\S*)?)|(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)|(\s+as\s+)/gi;
  let last = 0;
  for (const match of rest.matchAll(pattern)) {
    if (match.index > last) tokens.push({ kind: 'text', text: rest.slice(last, match.index) });
    const kind: DockerfileTokenKind = match[1]
      ? 'string'
      : match[2]
        ? 'flag'
        : match[3]
          ? 'variable'
          : 'instruction';
    tokens.push({ kind, text: match[0] });
    last = match.index + match[0].length;
  }
  if (last < rest.length) tokens.push({ kind: 'text', text: rest.slice(last) });
  return tokens;
}
