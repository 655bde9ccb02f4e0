import { describe, expect, it } from 'vitest';

import { buildFailure, pipHashMismatch } from './build-errors';

const LOCKED = 'a'.repeat(64);
const SERVED = 'b'.repeat(64);
const URL = 'https://pypi.example.org/files/pinme-1.0-py3-none-any.whl';

// pip's HashMismatch as pip 23-25 prints it (pip/_internal/exceptions.py: head, then
// `    {requirement}:` and `_hash_comparison()`), after `conda run` passed it through.
const PIP_OUTPUT = [
  'Collecting pinme@ ' + URL + '#sha256=' + LOCKED,
  '  Downloading pinme-1.0-py3-none-any.whl (1.2 kB)',
  'ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.',
  `    pinme@ ${URL}#sha256=${LOCKED} from ${URL}#sha256=${LOCKED}:`,
  `        Expected sha256 ${LOCKED}`,
  `             Got        ${SERVED}`,
  '',
];

describe('pipHashMismatch', () => {
  it("turns pip's hash refusal into one line naming the package, the file and both hashes", () => {
    const error = pipHashMismatch(PIP_OUTPUT)!;
    expect(error.code).toBe('BUILD_FAILED');
    expect(error.message).not.toContain('\n');
    expect(error.message).toBe(
      `pip package pinme: the file at ${URL} does not match the lock (sha256 ${LOCKED.slice(0, 12)}… locked, ${SERVED.slice(0, 12)}… served); the index changed it since the lock was made. Lock again (condense lock --update pinme) if the new file is expected, otherwise find out who replaced it.`,
    );
    expect(error.details).toMatchObject({ package: 'pinme', expected: LOCKED, got: SERVED });
  });

  it('is the build failure when a step shows it, and leaves other failures alone', () => {
    const step = { id: 'x', name: 'RUN pip install', error: 'exit code: 1' };
    const failed = buildFailure(
      { error: 'exit code: 1', failedStep: { step, lastLines: PIP_OUTPUT } } as never,
      [],
    );
    expect(failed.message).toMatch(/^pip package pinme: the file at /);
    expect(pipHashMismatch(['ERROR: No matching distribution found for x'])).toBeUndefined();
  });
});
