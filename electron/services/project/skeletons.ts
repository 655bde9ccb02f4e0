import { stringify } from 'yaml';

export const ENVIRONMENT_FILE = 'environment.yml';
export const RECIPE_FILE = 'condense.yml';

export interface EnvironmentSkeletonOptions {
  name: string;
  channels: string[];
  python: string;
}

/** A new environment.yml: a comment saying who manages it, then plain conda keys. */
export function environmentSkeleton({
  name,
  channels,
  python,
}: EnvironmentSkeletonOptions): string {
  // yaml's stringify quotes whatever needs quoting (channel URLs with `#`, odd names).
  const body = stringify({ name, channels, dependencies: [`python=${python}`] });
  return [
    '# Conda environment of this project. Condense edits it in place and keeps comments and order;',
    '# editing it by hand is fine too. Lock it in Condense (Lock screen) or with `condense lock`.',
    body,
  ].join('\n');
}

/**
 * A new condense.yml. It holds only comments and the format version: every recipe field has a default
 * (see the Image screen), so an untouched recipe builds the recommended image.
 */
export function recipeSkeleton(): string {
  return [
    '# Condense image recipe: base images, entrypoint, prune rules and variants.',
    '# Edit it on the Image screen, or by hand; omitted fields take their defaults.',
    'version: 1',
    '',
  ].join('\n');
}
