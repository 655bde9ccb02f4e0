import { describe, expect, it } from 'vitest';

import type { BuildComparison, ComparisonRow } from '../../../shared/api/build';
import { comparisonText } from './build-output';

const MIB = 1024 * 1024;

function row(variantId: string, sizeBytes: number, sizeDeltaBytes: number): ComparisonRow {
  return {
    buildId: 'b1',
    variantId,
    state: 'succeeded',
    sizeBytes,
    sizeDeltaBytes,
    layerCount: 3,
    durationMs: 12_000,
    cachedSteps: 1,
    totalSteps: 4,
    smoke: 'passed',
  };
}

describe('comparisonText', () => {
  const comparison: BuildComparison = {
    rows: [row('default', 457 * MIB, 0), row('slim', 61.25 * MIB, -395.75 * MIB)],
    layers: [
      { createdBy: 'COPY /env /env', sizes: [450 * MIB, 55 * MIB] },
      { createdBy: 'USER 65532:65532', sizes: [0, 0] },
      { createdBy: 'RUN echo tiny', sizes: [300, undefined] },
    ],
    breakingRules: [],
  };

  it('writes each size column in one unit, right-aligned, differences signed in ASCII', () => {
    const lines = comparisonText(comparison).split('\n');
    expect(lines[1]).toMatch(/^default\s+succeeded\s+457\.0 MiB\s+0 B\s/);
    expect(lines[2]).toMatch(/^slim\s+succeeded\s+61\.3 MiB\s+-395\.8 MiB\s/);
    // Right-aligned: the sizes end in the same column.
    const end = (line: string, text: string) => line.indexOf(text) + text.length;
    expect(end(lines[1]!, '457.0 MiB')).toBe(end(lines[2]!, '61.3 MiB'));
  });

  it('writes the layer table in one unit, keeping tiny and absent layers readable', () => {
    const text = comparisonText(comparison, true);
    expect(text).toMatch(/COPY \/env \/env\s+450\.0 MiB\s+55\.0 MiB/);
    expect(text).toMatch(/USER 65532:65532\s+0 B\s+0 B/);
    expect(text).toMatch(/RUN echo tiny\s+300 B\s+\u2013/);
  });
});
