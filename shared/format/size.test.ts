import { describe, expect, it } from 'vitest';

import { formatSize, formatSizeColumn, formatSizeDelta, formatSizeIn, sizeScale } from './size';

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

describe('formatSize', () => {
  it('picks the binary unit per value with about three significant digits', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1)).toBe('1 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.00 KiB');
    expect(formatSize(5.75 * KIB)).toBe('5.75 KiB');
    expect(formatSize(12.345 * MIB)).toBe('12.3 MiB');
    expect(formatSize(457.4 * MIB)).toBe('457 MiB');
    expect(formatSize(1.5 * GIB)).toBe('1.50 GiB');
    expect(formatSize(3 * 1024 * GIB)).toBe('3.00 TiB');
  });

  it('never shows a non-zero size as zero', () => {
    for (const bytes of [1, 17, 600, 5000, 51_000, 1_048_000]) {
      expect(formatSize(bytes)).not.toMatch(/^0(\.0+)? /);
      expect(formatSize(-bytes)).not.toMatch(/^−0(\.0+)? /);
    }
  });

  it('moves to the next unit when rounding reaches 1024 and keeps three digits at 10 and 100', () => {
    expect(formatSize(1023.9 * KIB)).toBe('1.00 MiB');
    expect(formatSize(MIB - 1)).toBe('1.00 MiB');
    expect(formatSize(9.996 * MIB)).toBe('10.0 MiB');
    expect(formatSize(99.96 * MIB)).toBe('100 MiB');
  });

  it('writes signs for savings and differences', () => {
    expect(formatSizeDelta(-12.4 * MIB)).toBe('\u221212.4 MiB');
    expect(formatSizeDelta(1.2 * MIB)).toBe('+1.20 MiB');
    expect(formatSizeDelta(0)).toBe('0 B');
    expect(formatSizeDelta(-300, { asciiMinus: true })).toBe('-300 B');
    expect(formatSize(-2 * KIB)).toBe('\u22122.00 KiB');
    expect(formatSize(2 * KIB)).toBe('2.00 KiB');
  });

  it('shows a dash for a size that was not measured', () => {
    expect(formatSize(undefined)).toBe('\u2013');
    expect(formatSize(Number.NaN)).toBe('\u2013');
  });
});

describe('column scale', () => {
  it('uses the unit of the largest value for every row', () => {
    expect(sizeScale([457 * MIB, 12.3 * MIB, undefined, 5 * KIB])).toEqual({
      unit: 'MiB',
      decimals: 1,
    });
    expect(sizeScale([5.75 * MIB, 0.4 * MIB])).toEqual({ unit: 'MiB', decimals: 2 });
    expect(sizeScale([-40 * GIB, 1 * GIB])).toEqual({ unit: 'GiB', decimals: 1 });
    expect(sizeScale([0, 800])).toEqual({ unit: 'B', decimals: 0 });
    expect(sizeScale([])).toEqual({ unit: 'B', decimals: 0 });
  });

  it('lines numbers up in one unit, keeping zero and tiny values readable', () => {
    expect(formatSizeColumn([457 * MIB, 12.34 * MIB, 0.5 * MIB, 0, 300, undefined])).toEqual([
      '457.0 MiB',
      '12.3 MiB',
      '0.5 MiB',
      '0 B',
      '300 B',
      '\u2013',
    ]);
    expect(formatSizeColumn([2 * GIB, 512 * MIB])).toEqual(['2.00 GiB', '0.50 GiB']);
  });

  it('signs a column of differences', () => {
    expect(
      formatSizeColumn([0, -30 * MIB, 10 * MIB, -20 * KIB], { signed: true, asciiMinus: true }),
    ).toEqual(['0 B', '-30.0 MiB', '+10.0 MiB', '-20.0 KiB']);
    expect(formatSizeIn(-2.5 * MIB, { unit: 'MiB', decimals: 1 }, { signed: true })).toBe(
      '\u22122.5 MiB',
    );
  });
});
