import type { ApiClient, ApiMethods } from '../../../shared/api/contract';
import type { RecipeMethods } from '../../../shared/api/recipe';

/*
 * Contract domains declared in shared/api/ but not yet merged into ApiMethods when the screens were
 * written. `Methods` lets ApiMethods' declaration win as soon as it is merged, so nothing changes here
 * then except deleting the domain from `Pending`.
 * TODO(contract): drop RecipeMethods once shared/api/contract.ts extends it.
 */
type Pending = RecipeMethods;

export type Methods = Omit<Pending, keyof ApiMethods> & ApiMethods;
export type Method = keyof Methods;

/** Calls a contract method through the injected client, including the not-yet-merged ones. */
export function callApi<M extends Method>(
  api: ApiClient,
  method: M,
  request: Methods[M]['request'],
): Promise<Methods[M]['response']> {
  // The cast is confined here: pending methods are not in ApiMethods yet.
  const call = api.call.bind(api) as (m: string, r: unknown) => Promise<unknown>;
  return call(method, request) as Promise<Methods[M]['response']>;
}
