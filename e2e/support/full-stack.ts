import { realisticChannelAvailable } from '../../test/support/channels';
import { connectDocker, fixtureImagesRequirement } from '../../test/support/docker';
import { available, chromiumRequirement } from '../../test/support/requirements';

/**
 * What the full-stack flows need: Chromium, an engine with the fixture images and the realistic
 * channel. Each missing part is reported with its reason (and fails under CONDENSE_REQUIRE_DOCKER).
 */
export async function fullStackReady(): Promise<boolean> {
  return (
    available('Chromium', chromiumRequirement()) &&
    available('Docker with the fixture images', await fixtureImagesRequirement(connectDocker())) &&
    realisticChannelAvailable()
  );
}

const UNITS = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;

/** Bytes from a size the app shows, such as `61.2 MiB` (the unit adapts to the size). */
export function sizeBytes(text: string | null | undefined): number {
  const match = /([\d.]+)\s*(B|KiB|MiB|GiB)\b/.exec(text ?? '');
  return match ? Number(match[1]) * UNITS[match[2] as keyof typeof UNITS] : NaN;
}
