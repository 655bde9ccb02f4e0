import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

import { CondenseError } from '../../../shared/api/errors';
import { RECIPE_MISSING_REVISION } from '../../../shared/api/recipe';
import type { Recipe } from '../../../shared/recipe/model';
import { defaultRecipe } from '../../../shared/recipe/model';
import { recipeYaml } from '../../../shared/recipe/recipe-yaml';
import type { RecipeIssue } from '../../../shared/recipe/validate';
import { checkRecipe, validateRecipe } from '../../../shared/recipe/validate';
import { writeFileAtomic, writeFileExclusive } from '../fs/atomic-write';
import { serialized } from '../serialized';

export const RECIPE_FILE = 'condense.yml';
const FORMAT_VERSION = 1;

/** The recipe of a project as read from disk, with every problem found (never thrown). */
export interface RecipeRead {
  recipe: Recipe;
  /** False when condense.yml does not exist (the defaults are returned). */
  exists: boolean;
  issues: RecipeIssue[];
  /** sha256 of the file's bytes, or RECIPE_MISSING_REVISION without a file. */
  revision: string;
}

/** The file's text and revision (the sha256 of its bytes), or undefined when it does not exist. */
async function readText(path: string): Promise<{ text: string; revision: string } | undefined> {
  try {
    const bytes = await readFile(path);
    return { text: bytes.toString('utf8'), revision: revisionOf(bytes) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function revisionOf(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function parse(text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new CondenseError(
      'INVALID_INPUT',
      `${RECIPE_FILE}${line ? ` line ${line}` : ''} is not valid YAML: ${first.message.split('\n')[0]}`,
    );
  }
  return doc;
}

/** Reads condense.yml; missing fields take defaults; problems are listed, not thrown. */
export async function readRecipeFile(projectDir: string): Promise<RecipeRead> {
  const file = await readText(join(projectDir, RECIPE_FILE));
  if (file === undefined) {
    return {
      recipe: defaultRecipe(),
      exists: false,
      issues: [],
      revision: RECIPE_MISSING_REVISION,
    };
  }
  return recipeOfText(file.text, file.revision);
}

/** The recipe stored in `text`, defaults filled in and problems listed. */
function recipeOfText(text: string, revision: string): RecipeRead {
  const raw: unknown = parse(text).toJS() ?? {};
  const issues: RecipeIssue[] = [];
  let fields = raw;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const { version, ...rest } = raw as Record<string, unknown>;
    if (version !== undefined && version !== FORMAT_VERSION) {
      issues.push({
        field: 'version',
        message: `format ${JSON.stringify(version)} is not known to this Condense (it reads version ${FORMAT_VERSION}); update Condense`,
      });
    }
    fields = rest;
  }
  const checked = checkRecipe(fields);
  return {
    recipe: checked.recipe,
    exists: true,
    issues: [...issues, ...checked.issues],
    revision,
  };
}

/** The recipe, or INVALID_INPUT naming every bad field of condense.yml. */
export async function loadRecipe(projectDir: string): Promise<Recipe> {
  const read = await readRecipeFile(projectDir);
  if (read.issues.length > 0) {
    throw new CondenseError(
      'INVALID_INPUT',
      `${RECIPE_FILE}: ${read.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      { issues: read.issues },
    );
  }
  return read.recipe;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Updates a mapping key by key and drops the keys `value` no longer has. */
function updateMap(doc: Document, map: YAMLMap, value: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(value)) update(doc, map, k, v);
  for (const item of [...map.items]) {
    const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
    if (!(k in value)) map.delete(item.key);
  }
}

/** Updates one key in place, so untouched keys, values and their comments stay as they were. */
function update(doc: Document, parent: YAMLMap, key: string, value: unknown): void {
  const existing = parent.get(key, true) as unknown;
  if (isPlainObject(value) && isMap(existing)) {
    updateMap(doc, existing, value);
    return;
  }
  if (isScalar(existing) && (value === null || typeof value !== 'object')) {
    if (existing.value !== value) existing.value = value;
    return;
  }
  if ((isMap(existing) || isSeq(existing)) && sameJson(existing.toJSON(), value)) return;
  if (isSeq(existing) && Array.isArray(value)) {
    updateSeq(doc, existing, value);
    return;
  }
  parent.set(key, doc.createNode(value));
}

/**
 * Updates a list item by item, so the items that stay (a variant among others) keep their comments
 * and style; items are matched by position, mappings updated key by key.
 */
function updateSeq(doc: Document, seq: YAMLSeq, value: unknown[]): void {
  value.forEach((item, i) => {
    const existing = seq.items[i];
    if (i >= seq.items.length) seq.items.push(doc.createNode(item));
    else if (isMap(existing) && isPlainObject(item)) updateMap(doc, existing, item);
    else if (isScalar(existing) && (item === null || typeof item !== 'object')) {
      if (existing.value !== item) existing.value = item;
    } else if (!sameJson((existing as { toJSON?: () => unknown } | undefined)?.toJSON?.(), item))
      seq.items[i] = doc.createNode(item);
  });
  seq.items.splice(value.length);
}

function conflict(revision: string): CondenseError {
  const what =
    revision === RECIPE_MISSING_REVISION ? 'it was deleted' : 'it was edited, e.g. by hand';
  return new CondenseError(
    'CONFLICT',
    `${RECIPE_FILE} changed on disk since Condense read it: ${what}. Nothing was written; reload it, or save again to replace the file's content.`,
    { revision },
  );
}

/**
 * Writes the recipe to condense.yml atomically, editing the existing document so the user's comments
 * and key order survive. Invalid recipes are refused before anything is written. With `baseRevision`
 * (the `revision` the caller read), a file that changed since is left alone: CONFLICT, nothing written.
 * Returns the recipe as written, with the new revision.
 */
export async function writeRecipeFile(
  projectDir: string,
  input: unknown,
  baseRevision?: string,
): Promise<RecipeRead> {
  const recipe = validateRecipe(input);
  const path = join(projectDir, RECIPE_FILE);
  return serialized(path, async () => {
    const file = await readText(path);
    const current = file?.revision ?? RECIPE_MISSING_REVISION;
    if (baseRevision !== undefined && baseRevision !== current) throw conflict(current);
    const doc = parse(
      file?.text ??
        '# Condense image recipe: base images, entrypoint, prune rules and variants.\n' +
          '# Edit it on the Image screen, or by hand; omitted fields take their defaults.\n' +
          'version: 1\n',
    );
    if (!isMap(doc.contents)) doc.contents = doc.createNode({ version: FORMAT_VERSION });
    const root = doc.contents as YAMLMap;
    update(doc, root, 'version', FORMAT_VERSION);
    // A recipe without `trace:` leaves the file's section as it is: a caller that built its recipe
    // without it never deletes the user's pins (empty lists clear them).
    for (const [key, value] of Object.entries(recipeYaml(recipe))) update(doc, root, key, value);
    const text = doc.toString({ lineWidth: 100 });
    if (file === undefined) {
      // A file created meanwhile (by the user's editor) is never replaced: link fails on it.
      if (!(await writeFileExclusive(path, text))) {
        if (baseRevision !== undefined) throw conflict((await readText(path))?.revision ?? current);
        await writeFileAtomic(path, text);
      }
    } else {
      // Compare once more just before the rename: a hand edit during the YAML work is not lost.
      const again = (await readText(path))?.revision ?? RECIPE_MISSING_REVISION;
      if (baseRevision !== undefined && again !== current) throw conflict(again);
      await writeFileAtomic(path, text);
    }
    return recipeOfText(text, revisionOf(text));
  });
}
