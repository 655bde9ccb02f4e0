import { unzipSync } from 'fflate';
import { decompress as zstdDecompress } from 'fzstd';
import Bunzip from 'seek-bzip';

import { CondenseError } from '../../../shared/api/errors';
import { readTar } from './tar-reader';

/** The fields of info/index.json the analysis uses. */
export interface PackageIndex {
  name: string;
  version: string;
  build: string;
  subdir?: string;
  /** `python` for noarch python packages: their files move to `lib/pythonX.Y/site-packages`. */
  noarch?: string;
  /** The licence the package declares (an SPDX expression in well-kept channels). */
  license?: string;
}

/** A file as info/paths.json lists it, relative to the package root (before noarch moves). */
export interface PackagePath {
  path: string;
  type: 'file' | 'symlink' | 'directory';
  size: number;
}

export interface PackageMetadata {
  index: PackageIndex;
  paths: PackagePath[];
}

const INFO = new Set(['info/index.json', 'info/paths.json', 'info/files']);
const decoder = new TextDecoder();

function infoTarOf(bytes: Uint8Array, filename: string): Uint8Array {
  if (filename.endsWith('.tar.bz2')) return Bunzip.decode(bytes);
  if (filename.endsWith('.conda')) {
    // A .conda is a zip holding info-<stem>.tar.zst (metadata) and pkg-<stem>.tar.zst (files).
    const entries = unzipSync(bytes, { filter: (file) => /^info-.*\.tar\.zst$/.test(file.name) });
    const info = Object.values(entries)[0];
    if (!info) throw new Error('no info-*.tar.zst inside');
    return zstdDecompress(info);
  }
  throw new Error('not a .conda or .tar.bz2 file');
}

interface RawPathsJson {
  paths?: { _path?: string; path_type?: string; size_in_bytes?: number }[];
}

/**
 * Reads index.json and paths.json (with sizes) from a conda package in either format. Packages too old
 * to have paths.json fall back to info/files with unknown (zero) sizes.
 */
export function readPackageMetadata(bytes: Uint8Array, filename: string): PackageMetadata {
  let files: Map<string, Uint8Array>;
  try {
    files = readTar(infoTarOf(bytes, filename), INFO);
  } catch (error) {
    throw new CondenseError(
      'INVALID_INPUT',
      `${filename} is not a readable conda package (${error instanceof Error ? error.message : String(error)}); delete it from the cache or check the channel`,
    );
  }
  const indexBytes = files.get('info/index.json');
  if (!indexBytes) throw new CondenseError('INVALID_INPUT', `${filename} has no info/index.json`);
  const index = JSON.parse(decoder.decode(indexBytes)) as PackageIndex;
  const pathsBytes = files.get('info/paths.json');
  if (pathsBytes) {
    const raw = JSON.parse(decoder.decode(pathsBytes)) as RawPathsJson;
    const paths = (raw.paths ?? []).map((entry) => ({
      path: entry._path ?? '',
      type:
        entry.path_type === 'softlink'
          ? ('symlink' as const)
          : entry.path_type === 'directory'
            ? ('directory' as const)
            : ('file' as const),
      size: entry.size_in_bytes ?? 0,
    }));
    return { index, paths: paths.filter((p) => p.path !== '') };
  }
  const list = files.get('info/files');
  const paths = list
    ? decoder
        .decode(list)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((path) => ({ path, type: 'file' as const, size: 0 }))
    : [];
  return { index, paths };
}
