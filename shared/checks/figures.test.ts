import { describe, expect, it } from 'vitest';

import type { VariantResult } from '../api/build';
import { variantFigures } from './figures';

const base = (id: string): VariantResult => ({
  id,
  rules: [],
  state: 'succeeded',
  tags: [],
  layers: [],
  durationMs: 1,
  cachedSteps: 0,
  totalSteps: 1,
});

describe('variantFigures', () => {
  it('puts size, start-up and peak memory of each variant side by side', () => {
    expect(
      variantFigures({
        variants: [
          {
            ...base('compile'),
            bytecode: 'compile',
            sizeBytes: 300,
            service: { passed: true, startupMs: 110, peakMemoryBytes: 9, message: 'ok' },
          },
          { ...base('plain'), sizeBytes: 200 },
        ],
      }),
    ).toEqual([
      {
        variant: 'compile',
        bytecode: 'compile',
        sizeBytes: 300,
        startupMs: 110,
        peakMemoryBytes: 9,
        servicePassed: true,
      },
      { variant: 'plain', sizeBytes: 200 },
    ]);
  });
});
