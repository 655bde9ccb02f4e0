import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CondenseError } from '../../../shared/api/errors';
import type { TraceRecord } from '../../../shared/api/trace';
import { redactDeep } from '../../../shared/format/redact';
import { writeFileAtomic } from '../fs/atomic-write';
import { recoverFolder } from '../fs/commit-files';
import { diskError } from '../fs/disk-errors';
import { projectStateDir, STATE_DIR } from '../project/state-dir';

/** `<project>/.condense/traces/<variant>.json`: the latest trace of each variant. */
export function tracesDir(projectDir: string): string {
  return join(projectDir, STATE_DIR, 'traces');
}

/**
 * Stores a trace record and returns it as stored: redacted whole, since its probe messages carry the
 * last lines a check printed (a URL with a token in a traceback stays out of the file).
 */
export async function saveTrace(projectDir: string, traced: TraceRecord): Promise<TraceRecord> {
  const record = redactDeep(traced);
  const file = join(tracesDir(projectDir), `${record.variant}.json`);
  try {
    const dir = await projectStateDir(projectDir, 'traces');
    // A trace killed while saving left only a temp file (the record is renamed in whole): gone now.
    await recoverFolder(dir);
    await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
  } catch (error) {
    if (error instanceof CondenseError) throw error;
    throw diskError(error, file);
  }
  return record;
}

function isTraceRecord(value: unknown): value is TraceRecord {
  const record = value as Partial<TraceRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.variant === 'string' &&
    typeof record.tracedAt === 'string' &&
    typeof record.report === 'object' &&
    record.report !== null &&
    Array.isArray(record.report.packages)
  );
}

/** The stored traces, newest first; a damaged file hides only itself. */
export async function listTraces(projectDir: string): Promise<TraceRecord[]> {
  const dir = tracesDir(projectDir);
  await recoverFolder(dir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const records: TraceRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      const value: unknown = JSON.parse(await readFile(join(dir, name), 'utf8'));
      if (isTraceRecord(value)) records.push(value);
    } catch {
      // Damaged or half-written by hand: left out.
    }
  }
  return records.sort((a, b) => b.tracedAt.localeCompare(a.tracedAt));
}
