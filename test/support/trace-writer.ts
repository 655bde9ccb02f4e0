// Child process for the trace kill test: writes the traced variant into condense.yml and the trace
// record, alternating between two versions (big ones, so a write takes long enough to be cut),
// until it is killed. Prints "ready" once the first pair is written.
import { writeTracedVariant } from '../../electron/services/recipe/traced-variant';
import { saveTrace } from '../../electron/services/trace/trace-store';
import type { TraceRecord } from '../../shared/api/trace';
import { defaultPrune } from '../../shared/recipe/model';
import type { TraceReport } from '../../shared/trace/model';

const projectDir = process.argv[2]!;

function tracedGlobs(version: 'a' | 'b'): string[] {
  return Array.from({ length: 400 }, (_, i) => `lib/${version}-folder-${i}/data`);
}

async function write(version: 'a' | 'b'): Promise<void> {
  const custom = tracedGlobs(version);
  await writeTracedVariant(projectDir, { ...defaultPrune('safe'), custom });
  const report = { variant: 'default', packages: custom.map((name) => ({ name })), probes: [] };
  const record: TraceRecord = {
    variant: 'default',
    tracedAt: new Date().toISOString(),
    // 1 MB, cheap to serialize but slow enough to write that a kill often lands inside the write.
    imageId: `sha256:${version.repeat(1_000_000)}`,
    report: report as unknown as TraceReport,
  };
  for (let i = 0; i < 4; i++) await saveTrace(projectDir, record);
}

async function main(): Promise<void> {
  await write('a');
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) await write(i % 2 === 0 ? 'b' : 'a');
}

void main();
