// Runs every vitest project, then prints the slowest test files and one plain closing line
// "tests: N passed, N failed, N skipped".
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'condense-test-'));
const report = join(dir, 'report.json');
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];

/** The slowest test files (what dominates a CI run), from the json report's per-file times. */
function printSlowest(r) {
  const files = (r.testResults ?? [])
    .map((f) => ({
      name: relative(process.cwd(), f.name),
      ms: (f.endTime ?? 0) - (f.startTime ?? 0),
    }))
    .filter((f) => f.ms > 0)
    .sort((a, b) => b.ms - a.ms);
  if (files.length === 0) return;
  const total = files.reduce((sum, f) => sum + f.ms, 0);
  console.log(
    `\nslowest test files (of ${files.length}, ${(total / 60_000).toFixed(1)} min in all):`,
  );
  for (const f of files.slice(0, 12)) {
    console.log(`  ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.name}`);
  }
}

const child = spawn('npx', args, { stdio: 'inherit' });
child.on('exit', (code, signal) => {
  let line;
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    line = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
    try {
      printSlowest(r);
    } catch (error) {
      console.log(`(no slowest files: ${error})`);
    }
  } catch {
    line = 'tests: 0 passed, 1 failed (the test runner wrote no report)';
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`\n${line}`);
  process.exit(signal ? 1 : (code ?? 1));
});
