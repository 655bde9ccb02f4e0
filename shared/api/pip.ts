import { z } from 'zod';

import { projectDir, shortText, wholeNumber } from './fields';
import type { RequestSchemas } from './schema';

/** A project on a pip index, as `pip:search` finds it. */
export interface PipSearchResult {
  name: string;
  /** The index URL (credentials removed) that lists it. */
  index: string;
  /** Versions of an exact name match, oldest first, yanked ones left out. */
  versions?: string[];
}

export interface PipMethods {
  /**
   * Searches project names on the pip indexes of the project's `pip:` section and condense.yml
   * (PyPI by default) through their PEP 691 JSON project lists.
   */
  'pip:search': {
    request: { projectDir: string; query: string; limit?: number };
    response: PipSearchResult[];
  };
}

export const pipSchemas = {
  'pip:search': z.strictObject({
    projectDir,
    query: shortText(256),
    limit: wholeNumber(1, 100).optional(),
  }),
} satisfies RequestSchemas<keyof PipMethods>;
