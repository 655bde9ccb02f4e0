import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TraceRecord } from '../../../shared/api/trace';
import { redactDeep } from '../../../shared/format/redact';
import type { TraceReport } from '../../../shared/trace/model';
import { listTraces, saveTrace, tracesDir } from './trace-store';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'condense-trace-store-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function record(variant: string, message: string): TraceRecord {
  const report = {
    variant,
    packages: [],
    probes: [{ kind: 'command', label: 'python -m app', passed: false, message }],
  } as unknown as TraceReport;
  return { variant, tracedAt: new Date().toISOString(), imageId: 'sha256:1', report };
}

describe('trace records', () => {
  it('never store a credential a check printed, in the file or in what saveTrace returns', async () => {
    const dir = join(root, 'secret');
    await mkdir(dir);
    const printed =
      'exit 1: ConnectionError: https://alice:pa55word@repo.example/t/sekrit-token/pkg?token=abc123 refused';
    const saved = await saveTrace(dir, {
      ...record('slim', printed),
      verified: { passed: false, message: `failed: ${printed}` },
    });
    const text = await readFile(join(tracesDir(dir), 'slim.json'), 'utf8');
    expect(text).not.toMatch(/alice|pa55word|sekrit|abc123/);
    expect(JSON.stringify(saved)).not.toMatch(/alice|pa55word|sekrit|abc123/);
    expect(text).toContain('https://***@repo.example/t/***/pkg?token=***');
    expect((await listTraces(dir)).map((r) => r.variant)).toEqual(['slim']);
  });

  it('a writer killed mid-save leaves only its temp file, which the next read sweeps', async () => {
    const dir = join(root, 'killed');
    await mkdir(dir);
    await saveTrace(dir, record('default', 'exit 0'));
    const before = await readFile(join(tracesDir(dir), 'default.json'), 'utf8');
    // What writeFileAtomic leaves when killed before its rename: a temp sibling of a dead pid.
    const temp = `.default.json.999999999.0123456789ab.tmp`;
    await writeFile(join(tracesDir(dir), temp), '{"variant": "default", "trac');
    await writeFile(join(tracesDir(dir), 'broken.json'), '{"variant": "broken", "trac');
    const listed = await listTraces(dir);
    expect(listed.map((r) => r.variant)).toEqual(['default']);
    expect(await readFile(join(tracesDir(dir), 'default.json'), 'utf8')).toBe(before);
    expect(await readdir(tracesDir(dir))).not.toContain(temp);
  });

  it('redactDeep leaves clean records as they are and reaches nested arrays', async () => {
    const clean = record('x', 'exit 0');
    expect(redactDeep(clean)).toBe(clean);
    const nested = { a: [{ b: ['https://u:p@h/x'] }], n: 1, z: null };
    expect(redactDeep(nested)).toEqual({ a: [{ b: ['https://***@h/x'] }], n: 1, z: null });
    expect(nested.a[0]!.b[0]).toBe('https://u:p@h/x');
    await mkdir(root, { recursive: true });
  });
});
