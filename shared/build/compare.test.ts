import { describe, expect, it } from 'vitest';

import type { BuildRecord, VariantResult } from '../api/build';
import { breakingRules, compareBuilds } from './compare';
import { cleanInstruction, layersFromHistory } from './layers';

function variant(
  id: string,
  rules: string[],
  smoke: boolean | undefined,
  size = 100,
): VariantResult {
  return {
    id,
    rules,
    state: 'succeeded',
    tags: [],
    sizeBytes: size,
    layers: [
      { createdBy: 'COPY /env /env', sizeBytes: size - 10, created: '' },
      { createdBy: 'ENTRYPOINT ["/env/bin/python"]', sizeBytes: 0, created: '' },
    ],
    durationMs: 1000,
    cachedSteps: 1,
    totalSteps: 3,
    ...(smoke === undefined
      ? {}
      : {
          smoke: {
            passed: smoke,
            checks: [
              {
                kind: 'imports' as const,
                command: ['python', '-c', 'import x'],
                passed: smoke,
                exitCode: smoke ? 0 : 1,
                output: smoke ? '' : "No module named 'x'",
                durationMs: 5,
              },
            ],
          },
        }),
  };
}

describe('breakingRules', () => {
  it('blames the one rule a failing variant adds over a passing one', () => {
    const result = breakingRules([
      variant('safe', ['pycache', 'tests'], true),
      variant('expert', ['pycache', 'tests', 'libpython'], false),
    ]);
    expect(result).toEqual([
      expect.objectContaining({
        rule: 'libpython',
        verdict: 'breaks',
        failingVariant: 'expert',
        passingVariant: 'safe',
      }),
    ]);
    expect(result[0]!.output).toMatch(/No module named/);
  });

  it('marks several differences as suspects and prefers a certain verdict', () => {
    expect(
      breakingRules([variant('none', [], true), variant('expert', ['a', 'b'], false)]).map((r) => [
        r.rule,
        r.verdict,
      ]),
    ).toEqual([
      ['a', 'suspect'],
      ['b', 'suspect'],
    ]);
    const certain = breakingRules([
      variant('none', [], true),
      variant('a-only', ['a'], true),
      variant('expert', ['a', 'b'], false),
    ]);
    expect(certain.map((r) => [r.rule, r.verdict])).toEqual([['b', 'breaks']]);
  });

  it('blames nothing without a passing subset or when smoke tests did not run', () => {
    expect(breakingRules([variant('x', ['a'], false), variant('y', ['b'], true)])).toEqual([]);
    expect(breakingRules([variant('x', ['a'], undefined), variant('y', [], true)])).toEqual([]);
  });
});

describe('compareBuilds', () => {
  it('makes one row per variant with size deltas to the first, and matches layers by instruction', () => {
    const record = (id: string, variants: VariantResult[]): BuildRecord => ({
      id,
      startedAt: '',
      finishedAt: '',
      durationMs: 0,
      state: 'succeeded',
      builder: 'buildkit',
      engine: { host: 'unix:///x', context: 'default', version: '1', architecture: 'amd64' },
      dockerfileSha256: '',
      variants,
    });
    const comparison = compareBuilds(
      record('b1', [variant('none', [], true, 500)]),
      record('b2', [variant('safe', ['p'], undefined, 300)]),
    );
    expect(
      comparison.rows.map((r) => [r.buildId, r.variantId, r.sizeDeltaBytes, r.smoke, r.layerCount]),
    ).toEqual([
      ['b1', 'none', 0, 'passed', 2],
      ['b2', 'safe', -200, 'not run', 2],
    ]);
    expect(comparison.layers[0]).toEqual({ createdBy: 'COPY /env /env', sizes: [490, 290] });
  });
});

describe('layers', () => {
  it('orders history bottom-first and cleans the instruction text', () => {
    const layers = layersFromHistory([
      {
        Id: 'sha256:top',
        Created: 1_700_000_000,
        CreatedBy: 'RUN /bin/sh -c rm -rf /env/pkgs # buildkit',
        Size: 0,
      },
      {
        Id: '<missing>',
        Created: 1_600_000_000,
        CreatedBy: '/bin/sh -c #(nop) COPY dir:abc in /env ',
        Size: 4096,
      },
    ]);
    expect(layers.map((l) => [l.createdBy, l.sizeBytes])).toEqual([
      ['COPY dir:abc in /env', 4096],
      ['RUN /bin/sh -c rm -rf /env/pkgs', 0],
    ]);
    expect(cleanInstruction('|1 V=2 /bin/sh -c make')).toBe('RUN make');
  });
});
