import { validated } from '../../electron/services/api-handlers';
import type { JobManager } from '../../electron/services/jobs/job-manager';
import type { ApiHandlers } from '../../shared/api/contract';
import {
  createMemoryTransportPair,
  createTransportClient,
  serveTransport,
} from '../../shared/api/rpc';

/**
 * The real client and server code of the contract over an in-memory pair (JSON on the wire, so
 * nothing a socket could not carry gets through), with the job manager's events pushed to the client.
 */
export function connectLoopback(
  handlers: Partial<ApiHandlers>,
  jobs: JobManager,
): ReturnType<typeof createTransportClient> {
  const [serverSide, clientSide] = createMemoryTransportPair();
  // Only the domain's own methods are served (another one answers NOT_FOUND), each behind its
  // request schema as in the app.
  const served = serveTransport(serverSide, validated(handlers) as ApiHandlers);
  jobs.onEvent((event) => served.emit(event));
  return createTransportClient(clientSide);
}
