import type { TraceRecord } from '../../../shared/api/trace';
import type { TraceReport } from '../../../shared/trace/model';

const MIB = 1024 * 1024;

/**
 * A trace of the fixture's `default` image (105 MiB: a 5 MiB base layer and 100 MiB of
 * environment): 30 MiB used, 20 MiB base, so the limit is 50 MiB.
 */
export function traceReport(variant = 'default'): TraceReport {
  return {
    variant,
    prefix: '/env',
    usedBytes: 30 * MIB,
    shippedBytes: 105 * MIB,
    baseBytes: 20 * MIB,
    limitBytes: 50 * MIB,
    packages: [
      {
        name: 'python',
        usedBytes: 20 * MIB,
        shippedBytes: 50 * MIB,
        folders: [
          {
            path: 'lib/python3.11',
            usedBytes: 14 * MIB,
            shippedBytes: 34 * MIB,
            unusedRemovedBy: { pycache: 6 * MIB },
          },
          { path: 'lib', usedBytes: 6 * MIB, shippedBytes: 16 * MIB, unusedRemovedBy: {} },
        ],
      },
      {
        name: 'numpy',
        usedBytes: 10 * MIB,
        shippedBytes: 35 * MIB,
        folders: [
          {
            path: 'lib/python3.11/site-packages/numpy/core',
            usedBytes: 10 * MIB,
            shippedBytes: 20 * MIB,
            unusedRemovedBy: {},
          },
          {
            path: 'lib/python3.11/site-packages/numpy/tests',
            usedBytes: 0,
            shippedBytes: 15 * MIB,
            unusedRemovedBy: { 'package-tests': 15 * MIB, pycache: 2 * MIB },
          },
        ],
      },
    ],
    rules: [
      {
        id: 'package-tests',
        title: 'Package test suites (site-packages/*/tests)',
        unusedBytes: 15 * MIB,
        usedBytes: 0,
        usedExamples: [],
      },
      {
        id: 'libpython',
        title: 'Shared libpython (lib/libpython*.so*)',
        unusedBytes: 1 * MIB,
        usedBytes: 2 * MIB,
        usedExamples: ['lib/libpython3.11.so.1.0'],
      },
      {
        id: 'pycache',
        title: 'Python bytecode caches (__pycache__)',
        unusedBytes: 8 * MIB,
        usedBytes: 3 * MIB,
        usedExamples: [
          'lib/python3.11/__pycache__/os.cpython-311.pyc',
          'lib/python3.11/__pycache__/re.cpython-311.pyc',
        ],
      },
    ],
    largestUnused: [
      {
        path: '/env/lib/python3.11/site-packages/numpy/tests/test_big.py',
        bytes: 9 * MIB,
        package: 'numpy',
      },
      { path: '/env/lib/libpython3.11.a', bytes: 512 * 1024, package: 'python' },
    ],
    probes: [
      { kind: 'imports', label: 'import numpy', passed: true, message: 'imported' },
      {
        kind: 'service',
        label: 'GET http://127.0.0.1:8000/health',
        passed: true,
        message: '200 in 1.2 s',
      },
    ],
  };
}

export function traceRecord(patch: Partial<TraceRecord> = {}): TraceRecord {
  return {
    variant: 'default',
    tracedAt: '2026-01-03T10:00:00Z',
    imageId: 'sha256:default',
    report: traceReport(patch.variant),
    ...patch,
  };
}

/** A record with the suggested `traced` variant, re-checked (passed or not). */
export function suggestedRecord(passed: boolean): TraceRecord {
  return traceRecord({
    suggestion: {
      variantId: 'traced',
      from: 'default',
      groups: [
        {
          reason: 'Test suites no check imported',
          globs: [
            'lib/python3.11/site-packages/numpy/tests',
            'lib/python3.11/site-packages/*/tests',
          ],
          forced: [],
          bytes: 15 * MIB,
        },
        {
          reason: 'Python modules no check imported',
          globs: ['lib/python3.11/idlelib', 'lib/python3.11/tkinter', 'lib/python3.11/turtledemo'],
          forced: [],
          bytes: 20 * MIB,
        },
      ],
      removedBytes: 35 * MIB,
      keptBytes: 70 * MIB,
      prune: {
        preset: 'safe',
        add: [],
        remove: [],
        custom: ['lib/python3.11/idlelib', 'lib/python3.11/tkinter', 'lib/python3.11/turtledemo'],
      },
    },
    verified: passed
      ? {
          passed: true,
          // The trace service's own words (trace-service.ts).
          message: 'The traced variant passed every check and was written to condense.yml.',
          buildId: '20260103-110000-aaaaaa',
          sizeBytes: 70 * MIB,
        }
      : {
          passed: false,
          message:
            'The traced variant failed its checks, so it was not written to condense.yml: the service check failed: GET /health answered 500 (ModuleNotFoundError: idlelib).',
        },
  });
}
