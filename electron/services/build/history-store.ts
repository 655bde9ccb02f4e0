import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { BuildLogLine, BuildRecord, BuildSummary } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import { BUILD_ID } from '../../../shared/api/fields';
import { redactFields } from '../../../shared/format/redact';
import { writeFileAtomic } from '../fs/atomic-write';
import { diskError } from '../fs/disk-errors';
import { projectStateDir, STATE_DIR } from '../project/state-dir';
import { parseBuildRecord } from './build-record';

/** `<project>/.condense/builds`: one folder per build with build.json and build.log (JSON lines). */
export function buildsDir(projectDir: string): string {
  return join(projectDir, STATE_DIR, 'builds');
}

/** Sortable by time, unique enough for one project: `20261127-180837-3fa9c2`. */
export function newBuildId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

const ID_PATTERN = BUILD_ID;

/** Refuses anything but a build id, so no request names a path outside the builds folder. */
function checkBuildId(buildId: string): void {
  if (!ID_PATTERN.test(buildId)) {
    throw new CondenseError(
      'INVALID_INPUT',
      `"${buildId}" is not a build id (they look like 20261127-180837-3fa9c2; condense compare --list shows them).`,
      { field: 'buildId' },
    );
  }
}

function buildDir(projectDir: string, buildId: string): string {
  checkBuildId(buildId);
  return join(buildsDir(projectDir), buildId);
}

/** Appends log lines as they come; the file survives a crash up to the last line written. */
export class BuildLogWriter {
  private readonly stream;
  private failed?: Error;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', (error) => (this.failed = error));
  }

  write(line: BuildLogLine): void {
    if (!this.failed) this.stream.write(`${JSON.stringify(redactFields(line))}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}

export async function openBuild(
  projectDir: string,
  buildId: string,
): Promise<{ dir: string; log: BuildLogWriter }> {
  checkBuildId(buildId);
  const dir = await projectStateDir(projectDir, 'builds', buildId).catch((error: unknown) => {
    if (error instanceof CondenseError) throw error;
    throw diskError(error, join(buildsDir(projectDir), buildId, 'build.json'));
  });
  return { dir, log: new BuildLogWriter(join(dir, 'build.log')) };
}

export async function saveBuild(projectDir: string, record: BuildRecord): Promise<void> {
  checkBuildId(record.id);
  const dir = await projectStateDir(projectDir, 'builds', record.id);
  await writeFileAtomic(join(dir, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
}

export async function loadBuild(projectDir: string, buildId: string): Promise<BuildRecord> {
  const file = join(buildDir(projectDir, buildId), 'build.json');
  if (!existsSync(file)) {
    throw new CondenseError('NOT_FOUND', `No build ${buildId} in ${buildsDir(projectDir)}.`, {
      buildId,
    });
  }
  return parseBuildRecord(await readFile(file, 'utf8'), file);
}

/** Builds, newest first. Folders without build.json (a build cut off by a crash) are left out. */
export async function listBuilds(projectDir: string): Promise<BuildSummary[]> {
  const names = await readdir(buildsDir(projectDir)).catch(() => [] as string[]);
  const records: BuildSummary[] = [];
  for (const name of names.filter((n) => ID_PATTERN.test(n))) {
    const file = join(buildsDir(projectDir), name, 'build.json');
    if (!existsSync(file)) continue;
    try {
      const record = parseBuildRecord(await readFile(file, 'utf8'), file);
      records.push({
        id: record.id,
        startedAt: record.startedAt,
        durationMs: record.durationMs,
        state: record.state,
        builder: record.builder,
        ...(record.imagesRemoved ? { imagesRemoved: true } : {}),
        variants: record.variants.map((v) => ({
          id: v.id,
          state: v.state,
          durationMs: v.durationMs,
          ...(v.sizeBytes !== undefined ? { sizeBytes: v.sizeBytes } : {}),
          ...(v.imageId ? { imageId: v.imageId } : {}),
          ...(v.smoke ? { smokePassed: v.smoke.passed } : {}),
        })),
      });
    } catch {
      // A damaged build.json hides that build only.
    }
  }
  // Ids carry the time to the second only; two quick builds share it, so order by startedAt (ms).
  return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
}

/** The newest build id, for `condense compare` without arguments. */
export async function latestBuildId(projectDir: string): Promise<string> {
  const [latest] = await listBuilds(projectDir);
  if (!latest) {
    throw new CondenseError(
      'NOT_FOUND',
      `No builds yet in ${projectDir}: run condense build first.`,
    );
  }
  return latest.id;
}

export async function readBuildLog(
  projectDir: string,
  buildId: string,
  tail?: number,
): Promise<BuildLogLine[]> {
  const file = join(buildDir(projectDir, buildId), 'build.log');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CondenseError('NOT_FOUND', `No log for build ${buildId}.`, { buildId });
  });
  const lines: BuildLogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      lines.push(JSON.parse(line) as BuildLogLine);
    } catch {
      // The last line may be cut short by a crash.
    }
  }
  return tail !== undefined ? lines.slice(-tail) : lines;
}
