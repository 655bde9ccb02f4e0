// shared/trace/elf.ts against binutils' readelf on real binaries: node itself, and a copy given an
// $ORIGIN RPATH and a RUNPATH by patchelf, as conda packages carry them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { elfDependencies } from '../../../shared/trace/elf';

const work = mkdtempSync(join(tmpdir(), 'condense-elf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readelf(path: string): { needed: string[]; runpath: string[] } {
  const text = execFileSync('readelf', ['-d', path], { encoding: 'utf8' });
  const needed = [...text.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
  const runpath =
    /\(RUNPATH\)\s+Library runpath: \[([^\]]*)\]/.exec(text)?.[1] ??
    /\(RPATH\)\s+Library rpath: \[([^\]]*)\]/.exec(text)?.[1];
  return { needed, runpath: runpath ? runpath.split(':') : [] };
}

describe('elfDependencies', () => {
  it('reads DT_NEEDED as readelf does', () => {
    const read = elfDependencies(readFileSync(process.execPath));
    expect(read).toEqual(readelf(process.execPath));
    expect(read!.needed).toContain('libc.so.6');
  });

  it('reads an $ORIGIN RPATH, and a RUNPATH in its place when both kinds were set', () => {
    const copy = join(work, 'node-copy');
    copyFileSync(process.execPath, copy);
    execFileSync('patchelf', ['--force-rpath', '--set-rpath', '$ORIGIN/../lib:/opt/x', copy]);
    expect(elfDependencies(readFileSync(copy))?.runpath).toEqual(['$ORIGIN/../lib', '/opt/x']);
    expect(elfDependencies(readFileSync(copy))).toEqual(readelf(copy));
    execFileSync('patchelf', ['--set-rpath', '$ORIGIN', copy]);
    expect(elfDependencies(readFileSync(copy))).toEqual(readelf(copy));
  });

  it('answers undefined for other files and truncated ELF files', () => {
    expect(elfDependencies(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toBeUndefined();
    const head = readFileSync(process.execPath).subarray(0, 100);
    expect(elfDependencies(head)).toBeUndefined();
  });
});
