import { LOCK_PLATFORMS } from '../conda/platforms';

/**
 * conda-lock's selector language (conda_lock/src_parser/selectors.py): a line ending in a comment
 * with `[cond]` is kept for a platform only when `cond` is exactly one of that platform's names.
 * There are no operators: `[linux and not aarch64]` or `[not win]` match no platform, so conda-lock
 * leaves such lines out everywhere (Condense does the same and warns).
 */
export const PLATFORM_SELECTORS: Record<string, readonly string[]> = {
  'linux-64': ['linux64', 'unix', 'linux'],
  'linux-aarch64': ['aarch64', 'unix', 'linux'],
  'linux-ppc64le': ['ppc64le', 'unix', 'linux'],
  'osx-64': ['osx64', 'osx', 'unix'],
  'osx-arm64': ['arm64', 'osx', 'unix'],
  'win-64': ['win', 'win64'],
};

const KNOWN = new Set(Object.values(PLATFORM_SELECTORS).flat());

// conda-lock's (conda-build's) pattern: content, a comment, `[cond]`, then no parentheses.
const SELECTOR = /^(.+?)\s*(#.*)\[([^[\]]+)\][^()]*$/;

/** The selector of one line (`- gcc  # [linux64]` -> `linux64`), or undefined. */
export function lineSelector(line: string): string | undefined {
  if (line.trimStart().startsWith('#')) return undefined;
  return SELECTOR.exec(line)?.[3];
}

/** Whether conda-lock keeps a line with this selector for `platform`. */
export function selectorMatches(selector: string, platform: string): boolean {
  return PLATFORM_SELECTORS[platform]?.includes(selector) ?? false;
}

/** True when the selector matches at least one platform conda-lock knows. */
export function isKnownSelector(selector: string): boolean {
  return KNOWN.has(selector);
}

/** The platforms a selector keeps its line for. */
export function selectorPlatforms(selector: string): string[] {
  return LOCK_PLATFORMS.filter((p) => selectorMatches(selector, p));
}

/**
 * The text conda-lock parses for `platform`: lines whose selector does not match are left out, as
 * are comment lines. Removed lines become empty lines, so YAML reads the same thing and line
 * numbers still point into the user's file.
 */
export function filterSelectors(text: string, platform: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.trimStart().startsWith('#')) return '';
      const selector = lineSelector(line);
      return selector === undefined || selectorMatches(selector, platform) ? line : '';
    })
    .join('\n');
}
