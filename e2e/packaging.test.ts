import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { afterPack, executablePath } from '../build/after-pack.mjs';
import { ROOT } from './support/renderer-build';

// The marker Electron binaries carry before their fuse wire (@electron/fuses' SENTINEL).
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ENABLE = 49;
const DISABLE = 48;

interface BuilderConfig {
  files: string[];
  asar: boolean;
  afterPack: string;
  linux: { target: string[]; executableName: string };
  mac: { target: string };
  win: { target: string };
}

const require = createRequire(import.meta.url);

/** electron-builder's own schema check (what `npm run dist` runs first), offline. */
async function validate(config: unknown): Promise<void> {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    validateConfiguration(c: unknown, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown };
  await validateConfiguration(config, new DebugLogger(false));
}

describe('packaging (build/electron-builder.yml)', () => {
  it('passes electron-builder schema validation (and the check catches mistakes)', async () => {
    const text = await readFile(join(ROOT, 'build', 'electron-builder.yml'), 'utf8');
    await expect(validate(parse(text))).resolves.toBeUndefined();
    await expect(validate({ ...(parse(text) as object), afterPak: 'typo.mjs' })).rejects.toThrow(
      /afterPak/,
    );
  });

  it('declares AppImage and deb, dmg and nsis, asar, and the fuse hook', async () => {
    const config = parse(
      await readFile(join(ROOT, 'build', 'electron-builder.yml'), 'utf8'),
    ) as BuilderConfig;
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
    expect(config.asar).toBe(true);
    expect(existsSync(join(ROOT, config.afterPack))).toBe(true);
    // What ships is the built output: the main bundle package.json points at must be included.
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      main: string;
      scripts: Record<string, string>;
    };
    expect(pkg.main.startsWith('out/')).toBe(true);
    expect(config.files).toContain('out/**/*');
    expect(pkg.scripts.dist).toContain('build/electron-builder.yml');
  });

  it('never lets the Electron binary download fail npm install', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
      allowScripts: Record<string, boolean>;
    };
    // Electron's own postinstall exits non-zero offline; npm runs ours instead, which has a deadline.
    expect(pkg.allowScripts.electron).toBe(false);
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.scripts.postinstall).toBe('node scripts/electron-binary.mjs');
  });

  it('finds the binary per platform', () => {
    const packager = { executableName: 'condense', appInfo: { productFilename: 'Condense' } };
    const base = { appOutDir: '/o', arch: 1, packager };
    expect(executablePath({ ...base, electronPlatformName: 'linux' })).toBe('/o/condense');
    expect(executablePath({ ...base, electronPlatformName: 'win32' })).toBe('/o/Condense.exe');
    expect(executablePath({ ...base, electronPlatformName: 'darwin' })).toBe('/o/Condense.app');
  });

  it('flips the fuses in a packed binary: RunAsNode off, OnlyLoadAppFromAsar on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'condense-fuses-'));
    try {
      // A stand-in binary: bytes, the sentinel, wire version 1, 8 fuses in Electron's defaults
      // (RunAsNode on, OnlyLoadAppFromAsar off...), more bytes.
      const wire = [ENABLE, DISABLE, ENABLE, ENABLE, DISABLE, DISABLE, DISABLE, ENABLE];
      const binary = Buffer.concat([
        Buffer.from('\x7fELF....'),
        Buffer.from(SENTINEL),
        Buffer.from([1, wire.length, ...wire]),
        Buffer.from('rest of the binary'),
      ]);
      await writeFile(join(dir, 'condense'), binary);
      await afterPack({
        electronPlatformName: 'linux',
        appOutDir: dir,
        arch: 1,
        packager: { executableName: 'condense', appInfo: { productFilename: 'Condense' } },
      });
      const after = await readFile(join(dir, 'condense'));
      const at = after.indexOf(SENTINEL) + SENTINEL.length + 2;
      const flipped = [...after.subarray(at, at + wire.length)];
      expect(flipped).toEqual([
        DISABLE, // RunAsNode
        ENABLE, // EnableCookieEncryption
        DISABLE, // EnableNodeOptionsEnvironmentVariable
        DISABLE, // EnableNodeCliInspectArguments
        ENABLE, // EnableEmbeddedAsarIntegrityValidation
        ENABLE, // OnlyLoadAppFromAsar
        DISABLE, // LoadBrowserProcessSpecificV8Snapshot
        DISABLE, // GrantFileProtocolExtraPrivileges
      ]);
      expect(after.length).toBe(binary.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails the build when the binary has no fuse wire', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'condense-fuses-'));
    try {
      await writeFile(join(dir, 'condense'), 'not electron');
      await expect(
        afterPack({
          electronPlatformName: 'linux',
          appOutDir: dir,
          arch: 1,
          packager: { executableName: 'condense', appInfo: { productFilename: 'Condense' } },
        }),
      ).rejects.toThrow(/sentinel/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
