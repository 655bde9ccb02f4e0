import type { CondenseBridge } from '../../../shared/api/bridge';
import type { ApiClient, MethodName, RequestOf, ResponseOf } from '../../../shared/api/contract';
import { CondenseError } from '../../../shared/api/errors';
import { unwrap } from '../../../shared/api/rpc';

/** The client inside the Electron window: every call goes through the preload bridge (`window.condense`). */
export function createIpcClient(bridge: CondenseBridge): ApiClient {
  return {
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      let envelope;
      try {
        envelope = await bridge.invoke(method, request);
      } catch (thrown) {
        // Only Electron itself throws here (no handler, cloning failed): the main process answers
        // every call it handles with an envelope.
        const message = thrown instanceof Error ? thrown.message : String(thrown);
        throw new CondenseError(
          'INTERNAL',
          `The call ${method} did not reach Condense: ${message}`,
        );
      }
      return unwrap(envelope) as ResponseOf<M>;
    },
    onJobEvent(listener) {
      return bridge.onJobEvent(listener);
    },
  };
}
