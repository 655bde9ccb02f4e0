import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

import { extract } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';

import { CONTEXT_DOCKERFILE, contextSources, createBuildContext } from './build-context';
import { parseDockerignore } from './dockerignore';

const temp = mkdtempSync(join(tmpdir(), 'condense-context-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(temp, 'p-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function entries(stream: Readable): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ex = extract();
  ex.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      out.set(
        header.type === 'directory' ? `${header.name}/` : header.name,
        Buffer.concat(chunks).toString(),
      );
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    stream.pipe(ex);
  });
  return out;
}

describe('parseDockerignore', () => {
  it('follows moby semantics: globs, ** , folders cover their contents, ! re-includes, last line wins', () => {
    const m = parseDockerignore('# comment\n/data\n**/*.pyc\n*.md\n!README.md\n./build/\n');
    expect(m.ignores('data')).toBe(true);
    expect(m.ignores('data/big/x.csv')).toBe(true);
    expect(m.ignores('src/pkg/mod.pyc')).toBe(true);
    expect(m.ignores('NOTES.md')).toBe(true);
    expect(m.ignores('README.md')).toBe(false);
    expect(m.ignores('docs/NOTES.md')).toBe(false);
    expect(m.ignores('build/lib/x.py')).toBe(true);
    expect(m.ignores('src/pkg/mod.py')).toBe(false);
    expect(m.hasExceptions).toBe(true);
  });
});

describe('contextSources', () => {
  it('lists COPY/ADD sources that are not from another stage', () => {
    const dockerfile = [
      'FROM x AS conda',
      'COPY --chown=1000:1000 conda-linux-64.lock /tmp/lock',
      'COPY --from=conda /env /env',
      'ADD ["src/", "setup.py", "/pkg/"]',
      'COPY ./pyproject.toml \\',
      '     /pkg/',
      'ADD https://example.org/x.tgz /x',
    ].join('\n');
    expect(contextSources(dockerfile)).toEqual([
      'conda-linux-64.lock',
      'src',
      'setup.py',
      'pyproject.toml',
    ]);
  });
});

describe('createBuildContext', () => {
  it('sends only what COPY names, minus .dockerignore, plus the Dockerfile', async () => {
    const dir = project({
      '.dockerignore': 'src/**/*.pyc\nsrc/secret.txt\n',
      'conda-linux-64.lock': '@EXPLICIT\n',
      'src/pkg/__init__.py': 'x = 1\n',
      'src/pkg/__init__.pyc': 'junk',
      'src/secret.txt': 'token',
      'data/huge.csv': 'a,b\n'.repeat(1000),
      '.condense/builds/old/build.json': '{}',
      '.git/HEAD': 'ref',
    });
    symlinkSync('pkg/__init__.py', join(dir, 'src/link.py'));
    const dockerfile = 'FROM x\nCOPY conda-linux-64.lock /tmp/\nCOPY src /pkg/src\n';
    const context = await createBuildContext({ projectDir: dir, dockerfile });
    expect(context.files.sort()).toEqual([
      'conda-linux-64.lock',
      'src/link.py',
      'src/pkg/__init__.py',
    ]);
    const tar = await entries(context.stream);
    expect(tar.get(CONTEXT_DOCKERFILE)).toBe(dockerfile);
    expect(tar.get('src/pkg/__init__.py')).toBe('x = 1\n');
    expect(
      [...tar.keys()].some(
        (k) => k.startsWith('data') || k.startsWith('.git') || k.includes('secret'),
      ),
    ).toBe(false);
    expect([...tar.keys()].filter((k) => k.startsWith('.condense/'))).toEqual([CONTEXT_DOCKERFILE]);
  });

  it('sends the whole project (still minus .dockerignore) when the Dockerfile copies "."', async () => {
    const dir = project({ '.dockerignore': 'data\n', 'a.py': '', 'data/x': '', 'sub/b.py': '' });
    const context = await createBuildContext({
      projectDir: dir,
      dockerfile: 'FROM x\nCOPY . /pkg\n',
    });
    expect(context.files.sort()).toEqual(['.dockerignore', 'a.py', 'sub/b.py']);
    await entries(context.stream);
  });

  it('sends only the Dockerfile when nothing is copied', async () => {
    const dir = project({ 'a.py': '' });
    const context = await createBuildContext({ projectDir: dir, dockerfile: 'FROM x\nRUN true\n' });
    expect(context.files).toEqual([]);
    expect([...(await entries(context.stream)).keys()]).toEqual([CONTEXT_DOCKERFILE]);
  });
});
