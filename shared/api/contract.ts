import type { BuildMethods } from './build';
import type { DeliveryMethods } from './delivery';
import type { JobEvent, JobMethods } from './jobs';
import type { LockMethods } from './lock';
import type { PipMethods } from './pip';
import type { DialogMethods, ProjectMethods } from './project';
import type { RecipeMethods } from './recipe';
import type { TraceMethods } from './trace';

/**
 * Every call of the app, declared once. Domain files declare their own `XxxMethods` maps
 * (method name -> request and response) and are merged here. Method names are `<domain>:<verb>`;
 * on Electron IPC the channel is `condense:<domain>:<verb>`.
 */
// Domains add themselves to this list as they land.
export interface ApiMethods
  extends
    JobMethods,
    ProjectMethods,
    DialogMethods,
    LockMethods,
    BuildMethods,
    RecipeMethods,
    PipMethods,
    DeliveryMethods,
    TraceMethods {
  'app:info': { request: Record<string, never>; response: AppInfo };
}

export type MethodName = keyof ApiMethods;
export type RequestOf<M extends MethodName> = ApiMethods[M]['request'];
export type ResponseOf<M extends MethodName> = ApiMethods[M]['response'];

export interface AppInfo {
  name: string;
  version: string;
  /** Which door serves the UI. */
  mode: 'electron' | 'browser';
}

/** What the renderer and the CLI hold: one typed call, and the job event stream. */
export interface ApiClient {
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  onJobEvent(listener: (event: JobEvent) => void): () => void;
}

/** What the Node side provides: one handler per method. */
export type ApiHandlers = {
  [M in MethodName]: (request: RequestOf<M>) => Promise<ResponseOf<M>>;
};

export const IPC_PREFIX = 'condense:';
export const IPC_EVENT_CHANNEL = 'condense:jobs:event';
