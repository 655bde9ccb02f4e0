/**
 * Byte sizes for people: binary units (B, KiB, MiB, GiB, TiB), the unit chosen per value and about
 * three significant digits ("457 MiB", "12.3 MiB", "5.75 KiB"). One formatter for the renderer, the CLI
 * tables and the build logs, so a size reads the same wherever it appears.
 */

/** A binary size unit, as in `du -h` or `ls -lh`, written the IEC way. */
export type SizeUnit = 'B' | 'KiB' | 'MiB' | 'GiB' | 'TiB';

const UNITS: readonly SizeUnit[] = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Options of the size formatters. */
export interface SizeFormatOptions {
  /** Always show the sign ("+1.20 MiB", "−12.4 MiB"), as for a saving or a difference. */
  signed?: boolean;
  /**
   * Write a negative sign as ASCII "-" instead of the typographic minus "−" (U+2212): for terminal
   * output that scripts may parse. The UI keeps the minus, which lines up with "+" in proportional fonts.
   */
  asciiMinus?: boolean;
}

/** How the numbers of one column are written: a single unit and number of decimals for every row. */
export interface SizeScale {
  unit: SizeUnit;
  decimals: number;
}

function unitIndex(magnitude: number): number {
  let index = 0;
  while (index < UNITS.length - 1 && magnitude >= 1024 ** (index + 1)) index++;
  return index;
}

function signOf(bytes: number, options: SizeFormatOptions): string {
  if (bytes < 0) return options.asciiMinus ? '-' : '\u2212';
  return options.signed && bytes > 0 ? '+' : '';
}

// Three significant digits: 457, 12.3, 5.75.
function decimalsFor(value: number): number {
  return value >= 100 ? 0 : value >= 10 ? 1 : 2;
}

function threeDigits(value: number): string {
  const text = value.toFixed(decimalsFor(value));
  // 9.996 rounds to "10.00": keep three digits ("10.0").
  return value.toFixed(decimalsFor(Number(text)));
}

/**
 * A size with the unit chosen for this value: "0 B", "512 B", "5.75 KiB", "12.3 MiB", "1.02 GiB".
 * A non-zero size never reads as zero (the smallest unit is bytes). `undefined` (not measured) is "–".
 */
export function formatSize(bytes: number | undefined, options: SizeFormatOptions = {}): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '\u2013';
  const magnitude = Math.abs(bytes);
  let index = unitIndex(magnitude);
  let value = magnitude / 1024 ** index;
  let text = index === 0 ? String(Math.round(value)) : threeDigits(value);
  // 1023.9 KiB rounds to "1024 KiB": write it in the next unit instead.
  if (Number(text) >= 1024 && index < UNITS.length - 1) {
    index++;
    value = magnitude / 1024 ** index;
    text = threeDigits(value);
  }
  return `${signOf(bytes, options)}${text} ${UNITS[index]}`;
}

/** A difference or saving, always signed: "+1.20 MiB", "−12.4 MiB", "0 B". */
export function formatSizeDelta(
  bytes: number | undefined,
  options: SizeFormatOptions = {},
): string {
  return formatSize(bytes, { ...options, signed: true });
}

/**
 * One unit for values shown side by side (a table column, the bars of a chart), chosen by the largest
 * value so it has about three significant digits; smaller rows then line up under it ("457.0 MiB" over
 * "12.3 MiB") instead of mixing units. Undefined values are ignored.
 */
export function sizeScale(values: readonly (number | undefined)[]): SizeScale {
  const largest = Math.max(0, ...values.map((v) => (v === undefined ? 0 : Math.abs(v))));
  const index = unitIndex(largest);
  if (index === 0) return { unit: 'B', decimals: 0 };
  // At least one decimal, so a column of MiB does not collapse small rows to "0 MiB" or "1 MiB".
  return { unit: UNITS[index]!, decimals: largest / 1024 ** index >= 10 ? 1 : 2 };
}

/**
 * A size written in a column's scale. Zero stays "0 B"; a non-zero size too small for the column's
 * decimals (a 300-byte layer in a MiB column) is written in its own unit rather than as "0.0 MiB".
 */
export function formatSizeIn(
  bytes: number | undefined,
  scale: SizeScale,
  options: SizeFormatOptions = {},
): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return formatSize(bytes);
  if (bytes === 0) return '0 B';
  const index = UNITS.indexOf(scale.unit);
  const text = (Math.abs(bytes) / 1024 ** index).toFixed(scale.decimals);
  if (Number(text) === 0) return formatSize(bytes, options);
  return `${signOf(bytes, options)}${text} ${scale.unit}`;
}

/** Every value of a column in one scale (see `sizeScale`), in the given order. */
export function formatSizeColumn(
  values: readonly (number | undefined)[],
  options: SizeFormatOptions = {},
): string[] {
  const scale = sizeScale(values);
  return values.map((v) => formatSizeIn(v, scale, options));
}
