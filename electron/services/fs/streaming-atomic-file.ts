import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { diskError } from './disk-errors';

/** Chunks are gathered to about this size before a write (a download arrives in 16-64 KB pieces). */
const BATCH_BYTES = 1 << 20;

/**
 * A file written atomically while its bytes are still arriving: chunks go to a temporary sibling in
 * order as they come (so a 240 MB download reaches the disk during the download, not after it), and
 * `commit` fsyncs it and renames it over the target once the whole body has been checked. `discard`
 * removes the sibling. A failed write (a full disk) is kept and reported by `commit`.
 */
export class StreamingAtomicFile {
  private readonly temp: string;
  private handle: Promise<FileHandle> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private failure: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly mode = 0o644,
    /** Make the file's folder at the first write (a cache folder); otherwise a missing one fails. */
    private readonly makeFolder = false,
  ) {
    this.temp = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
  }

  /** Queues `chunk`; it must not change afterwards (it is written later, without a copy). */
  write(chunk: Uint8Array): void {
    this.batch.push(chunk);
    this.batchBytes += chunk.byteLength;
    if (this.batchBytes >= BATCH_BYTES) this.writeBatch();
  }

  private writeBatch(): void {
    if (this.batch.length === 0) return;
    const buffers = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    const handle = this.opened();
    this.writes = this.writes.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await (await handle).writev(buffers);
      } catch (error) {
        this.failure = error as Error;
      }
    });
  }

  /**
   * The temporary file, made at the first write, so an object never written costs no I/O; a
   * failure to make it is reported by `commit`.
   */
  private opened(): Promise<FileHandle> {
    if (!this.handle) {
      const folder = this.makeFolder
        ? mkdir(dirname(this.temp), { recursive: true })
        : Promise.resolve(undefined);
      this.handle = folder.then(() => open(this.temp, 'wx', this.mode));
      // Awaited later (after earlier writes): until then a failure must not count as unhandled.
      this.handle.catch(() => undefined);
    }
    return this.handle;
  }

  /**
   * Resolves once every chunk given so far is with the kernel (not yet fsynced): the caller may let
   * go of the bytes then. Failures are left to `commit`.
   */
  async written(): Promise<void> {
    this.writeBatch();
    await this.writes;
  }

  /** Writes what is left, fsyncs, and renames the file into place. */
  async commit(): Promise<void> {
    const opened = this.opened();
    await this.written();
    try {
      const handle = await opened;
      if (this.failure !== undefined) throw this.failure;
      // open() applies the umask; the file must get exactly `mode`.
      await handle.chmod(this.mode);
      await handle.sync();
      await handle.close();
      await rename(this.temp, this.path);
    } catch (error) {
      await this.discard();
      throw diskError(error, this.path);
    }
  }

  /** Drops the file: nothing is renamed into place, the temporary sibling is removed. */
  async discard(): Promise<void> {
    this.batch = [];
    await this.writes;
    const handle = await this.handle?.catch(() => undefined);
    await handle?.close().catch(() => undefined);
    if (this.handle) await rm(this.temp, { force: true });
  }
}
