import type { SpdxDocument } from '../delivery/sbom';
import type { JobStarted } from './jobs';

/** One step of a push, as the `progress`-like `push` job events carry it. */
export interface PushProgressEvent {
  variant: string;
  tag: string;
  layer?: string;
  status: string;
  current?: number;
  total?: number;
}

/** A tag the registry now serves, with its manifest digest. */
export interface PushedTag {
  variant: string;
  tag: string;
  digest: string;
}

export interface DeliveryMethods {
  /**
   * Pushes the latest build's variants to `registry` (`host[:port][/path]`) with Docker's own
   * credentials. A `push` job: `push` events per layer, `done` with `PushedTag[]`.
   */
  'delivery:push': {
    request: { projectDir: string; registry: string; variants?: string[]; insecure?: boolean };
    response: JobStarted;
  };
  /** SPDX 2.3 of the lock, for one variant or the environment with every variant's removals. */
  'delivery:sbom': { request: { projectDir: string; variant?: string }; response: SpdxDocument };
}
