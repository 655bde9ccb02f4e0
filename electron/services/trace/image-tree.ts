import type { Readable } from 'node:stream';

import { extract } from 'tar-stream';

import { CondenseError } from '../../../shared/api/errors';
import { elfDependencies, isElf } from '../../../shared/trace/elf';
import type { ImageEntry } from '../../../shared/trace/model';
import { isIgnoredPath } from '../../../shared/trace/resolve';
import { withCheckContainer } from '../checks/check-container';
import { shebang } from '../checks/command-check';
import type { Engine } from '../docker/engine';
import { engineError } from '../docker/engine';
import { engineStream } from '../docker/engine-stream';

const HEAD_BYTES = 256;

function normalize(name: string): string {
  const path = `/${name}`.replace(/\/+/g, '/').replace(/\/$/, '');
  return path === '' ? '/' : path.replace(/^\/\.\//, '/');
}

/**
 * Every file, folder and symlink of an image, with sizes and the `#!` interpreter of scripts, read from
 * `docker export` of a container that is created and never started. Only the first bytes of each
 * executable are kept: a 400 MB image streams through in a few seconds.
 */
export async function readImageTree(
  engine: Engine,
  imageId: string,
  signal?: AbortSignal,
): Promise<ImageEntry[]> {
  try {
    return await withCheckContainer(
      engine,
      'trace-tree',
      // Never started: the command only has to exist for the engine to create the container.
      { Image: imageId, Entrypoint: ['/.condense-trace-none'], Cmd: [], NetworkDisabled: true },
      signal,
      (container) =>
        engineStream(
          engine,
          'export the image files',
          signal,
          // @types/dockerode lacks the options argument dockerode takes (abortSignal included).
          async (abortSignal) =>
            (await (container.export as (o: object) => Promise<unknown>)({
              abortSignal,
            })) as Readable,
          (stream) => readTarTree(stream!, signal),
        ),
    );
  } catch (error) {
    if (signal?.aborted) throw new CondenseError('CANCELLED', 'Trace cancelled.');
    if (error instanceof CondenseError) throw error;
    throw engineError(error, engine.target);
  }
}

/**
 * Reads what the trace needs of a file's bytes: the `#!` line of an executable script, and the
 * whole of an ELF file (its DT_NEEDED strings can sit anywhere); every other file streams past.
 */
function readHead(
  entry: ImageEntry,
  executable: boolean,
  body: { on(event: string, listener: (data?: unknown) => void): unknown },
  next: () => void,
): void {
  const chunks: Buffer[] = [];
  let kind: 'elf' | 'script' | 'other' | undefined;
  let size = 0;
  body.on('data', (data: unknown) => {
    const chunk = data as Buffer;
    if (kind === undefined) {
      const head = chunk.subarray(0, 4);
      kind = isElf(head)
        ? 'elf'
        : executable && head[0] === 0x23 && head[1] === 0x21
          ? 'script'
          : 'other';
    }
    if (kind === 'other' || (kind === 'script' && size >= HEAD_BYTES)) return;
    chunks.push(chunk);
    size += chunk.length;
  });
  body.on('end', () => {
    if (kind === 'script') {
      const interpreter = shebang(Buffer.concat(chunks).subarray(0, HEAD_BYTES))?.[0];
      if (interpreter) entry.interpreter = interpreter;
    } else if (kind === 'elf') {
      const dependencies = elfDependencies(Buffer.concat(chunks));
      if (dependencies && dependencies.needed.length > 0) entry.needed = dependencies.needed;
      if (dependencies && dependencies.runpath.length > 0) entry.runpath = dependencies.runpath;
    }
    next();
  });
}

/** The entries of a tar stream of a whole filesystem (virtual filesystems and the tracer left out). */
export function readTarTree(stream: Readable, signal?: AbortSignal): Promise<ImageEntry[]> {
  return new Promise<ImageEntry[]>((resolve, reject) => {
    const entries: ImageEntry[] = [];
    const reader = extract();
    const abort = () => {
      stream.destroy();
      reject(new CondenseError('CANCELLED', 'Trace cancelled.'));
    };
    if (signal?.aborted) {
      abort();
      return;
    }
    signal?.addEventListener('abort', abort, { once: true });
    reader.on('entry', (header, body, next) => {
      const path = normalize(header.name);
      const keep = path !== '/' && !isIgnoredPath(path);
      const executable = ((header.mode ?? 0) & 0o111) !== 0;
      if (keep && header.type === 'directory') entries.push({ path, type: 'dir', size: 0 });
      else if (keep && header.type === 'symlink')
        entries.push({ path, type: 'symlink', size: 0, target: header.linkname ?? '' });
      // A hard link shares its target's bytes: counted once, at the target.
      else if (keep && header.type === 'link') entries.push({ path, type: 'file', size: 0 });
      else if (keep && header.type === 'file') {
        const entry: ImageEntry = { path, type: 'file', size: header.size ?? 0 };
        entries.push(entry);
        if (entry.size > 4) {
          readHead(entry, executable, body, next);
          return;
        }
      }
      body.on('end', () => next());
      body.resume();
    });
    reader.on('finish', () => {
      signal?.removeEventListener('abort', abort);
      resolve(entries);
    });
    reader.on('error', reject);
    stream.on('error', reject);
    stream.pipe(reader);
  });
}
