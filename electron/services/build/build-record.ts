import { z } from 'zod';

import type { BuildRecord } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';

// The parts of build.json that the history, compare and retention read; anything else is kept as is
// (loose objects), so records written by an older or newer Condense still load.
const layer = z.looseObject({ createdBy: z.string(), sizeBytes: z.number() });
const smoke = z.looseObject({
  passed: z.boolean(),
  checks: z.array(z.looseObject({ passed: z.boolean(), output: z.string() })),
});
const variant = z.looseObject({
  id: z.string(),
  state: z.enum(['succeeded', 'failed', 'cancelled']),
  rules: z.array(z.string()),
  tags: z.array(z.string()),
  layers: z.array(layer),
  durationMs: z.number(),
  cachedSteps: z.number(),
  totalSteps: z.number(),
  sizeBytes: z.number().optional(),
  imageId: z.string().optional(),
  smoke: smoke.optional(),
});
const record = z.looseObject({
  id: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  state: z.enum(['succeeded', 'failed', 'cancelled']),
  builder: z.enum(['buildkit', 'classic']),
  variants: z.array(variant),
});

/**
 * Reads a build.json, or says which file is damaged and where (`variants[0].layers`) instead of
 * failing later with a TypeError in whatever read it.
 */
export function parseBuildRecord(text: string, file: string): BuildRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw damaged(file, 'it is not JSON');
  }
  const parsed = record.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.reduce<string>(
      (text, key) =>
        typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
      '',
    );
    throw damaged(
      file,
      `${where || 'the record'}: ${issue.message.replace(/^Invalid input: /, '')}`,
    );
  }
  return parsed.data as unknown as BuildRecord;
}

function damaged(file: string, what: string): CondenseError {
  return new CondenseError(
    'INVALID_INPUT',
    `The build record ${file} is damaged (${what}): restore it from a backup, or delete that build's folder.`,
    { file },
  );
}
