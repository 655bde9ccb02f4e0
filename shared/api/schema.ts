import type { z } from 'zod';

import type { ApiMethods, MethodName } from './contract';
import { noFields } from './fields';

/**
 * The schemas of a domain's methods: each one's output must be the method's request type, so the
 * handler gets exactly what the contract declares. Write one next to the `XxxMethods` interface:
 * `export const xxxSchemas = { 'xxx:verb': z.strictObject({...}) } satisfies RequestSchemas<keyof XxxMethods>;`
 */
export type RequestSchemas<M extends MethodName> = {
  [K in M]: z.ZodType<ApiMethods[K]['request'], unknown>;
};

export const appSchemas = { 'app:info': noFields } satisfies RequestSchemas<'app:info'>;
