import { z } from 'zod';

/**
 * Field rules shared by the request schemas of every domain (`shared/api/<domain>.ts`). One rule per
 * kind of value, so a project folder or a variant id means the same at every door.
 */

/** Long enough for any real path, short enough that a request cannot carry megabytes in one field. */
const MAX_PATH = 4096;

/** POSIX `/x`, Windows `C:\x` or `\\server\share`: pure, so the renderer can check it too. */
export function isAbsolutePath(path: string): boolean {
  return /^\//.test(path) || /^[A-Za-z]:[\\/]/.test(path) || /^\\\\[^\\]/.test(path);
}

const pathText = z
  .string()
  .min(1, 'is empty')
  .max(MAX_PATH, `is longer than ${MAX_PATH} characters`)
  .refine((p) => !p.includes('\0'), 'contains a NUL character');

/** An absolute path (a file or folder anywhere; the service decides what may be touched there). */
export const absolutePath = pathText.refine(isAbsolutePath, 'must be an absolute path');

/**
 * The one project-folder rule of every `projectDir` field: an absolute folder path. That the folder
 * exists is checked once by the service that opens it (`electron/services/project/project-folder.ts`).
 */
export const projectDir = absolutePath;

/** A folder the user types: absolute, or starting with `~/` (expanded on the service side). */
export const userFolder = pathText.refine(
  (p) => isAbsolutePath(p.trim()) || p.trim() === '~' || p.trim().startsWith('~/'),
  'must be an absolute folder path (or start with ~/)',
);

/** A path inside the project (relative) or an absolute one; the service confines it. */
export const projectFile = pathText;

/**
 * The one variant-id rule (condense.yml's `variants[].id`, `build:start`'s `variants`, image tags
 * `<repo>:<variant>`): lowercase letters, digits and dashes, at most 32.
 */
export const VARIANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
export const variantId = z
  .string()
  .regex(VARIANT_ID, 'must be lowercase letters, digits and dashes, at most 32 (e.g. "slim")');

/** Build ids as the history writes them: `20261127-180837-3fa9c2`. */
export const BUILD_ID = /^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/;
export const buildId = z
  .string()
  .regex(
    BUILD_ID,
    'is not a build id (they look like 20261127-180837-3fa9c2; condense compare --list shows them)',
  );

/** A short text field (names, queries, versions). */
export const shortText = (max = 256) => z.string().max(max, `is longer than ${max} characters`);

/** A list with a bound, so one request cannot carry millions of items. */
export const list = <T extends z.ZodType>(item: T, max = 1000) =>
  z.array(item).max(max, `has more than ${max} items`);

/** A whole number within bounds. */
export const wholeNumber = (min: number, max: number) =>
  z
    .number()
    .int('must be a whole number')
    .min(min, `must be ${min} or more`)
    .max(max, `must be ${max} or less`);

/** A request without fields: `{}` (anything else is a caller's mistake worth naming). */
export const noFields = z.strictObject({});

/** Docker image repository names as `docker tag` takes them. */
export const repository = z
  .string()
  .max(255)
  .regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, 'must be lowercase letters, digits, . _ - and /');
