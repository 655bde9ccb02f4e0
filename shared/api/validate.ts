import type { z } from 'zod';

import { buildSchemas } from './build';
import type { MethodName, RequestOf } from './contract';
import { deliverySchemas } from './delivery';
import { CondenseError } from './errors';
import { jobSchemas } from './jobs';
import { lockSchemas } from './lock';
import { pipSchemas } from './pip';
import { dialogSchemas, projectSchemas } from './project';
import { recipeSchemas } from './recipe';
import { appSchemas, type RequestSchemas } from './schema';
import { traceSchemas } from './trace';

/**
 * Every method's request schema. `satisfies` makes a method without a schema (or a schema whose
 * output is not the method's request type) a type error.
 */
export const REQUEST_SCHEMAS = {
  ...appSchemas,
  ...jobSchemas,
  ...projectSchemas,
  ...dialogSchemas,
  ...lockSchemas,
  ...buildSchemas,
  ...recipeSchemas,
  ...deliverySchemas,
  ...pipSchemas,
  ...traceSchemas,
} satisfies RequestSchemas<MethodName>;

/** Request fields a method's schema does not list (a strict schema would refuse them at run time). */
type UnlistedFields<M extends MethodName> = Exclude<
  keyof RequestOf<M>,
  keyof z.output<(typeof REQUEST_SCHEMAS)[M]>
>;
type MethodsWithUnlistedFields = {
  [M in MethodName]: [UnlistedFields<M>] extends [never] ? never : M;
}[MethodName];
// A type error names the method whose schema misses a field of its request type.
const everyFieldListed: [MethodsWithUnlistedFields] extends [never]
  ? true
  : MethodsWithUnlistedFields = true;
void everyFieldListed;

/** `edits[2].setDependency`; `request` for the request itself. */
function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
  }
  return text || 'request';
}

function describeIssue(method: string, issue: z.core.$ZodIssue): { field: string; text: string } {
  const field = fieldPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (field === 'request' ? k : `${field}.${k}`));
    return {
      field: keys[0] ?? field,
      text: `${keys.join(', ')} ${keys.length > 1 ? 'are not fields' : 'is not a field'} of ${method}`,
    };
  }
  return { field, text: `${field} ${issue.message.replace(/^Invalid input: /, '')}` };
}

/**
 * The one check of a request, for every door (IPC, WebSocket, CLI): the value as the handler gets it,
 * or INVALID_INPUT naming the field (`details.field`) and what is wrong with it.
 */
export function validate<M extends MethodName>(method: M, request: unknown): RequestOf<M> {
  if (!Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, method)) {
    throw new CondenseError('NOT_FOUND', `Unknown method "${method}".`);
  }
  const schema = REQUEST_SCHEMAS[method] as z.ZodType;
  const parsed = schema.safeParse(request ?? {});
  if (parsed.success) return parsed.data as RequestOf<M>;
  const issues = parsed.error.issues.map((issue) => describeIssue(method, issue));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new CondenseError('INVALID_INPUT', `Invalid ${method} request: ${first.text}${more}.`, {
    field: first.field,
    issues: issues.map((i) => i.text),
  });
}
