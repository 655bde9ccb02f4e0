// Runs sandboxed in the renderer's isolated world: only electron's renderer APIs and the shared contract.
import { contextBridge, ipcRenderer } from 'electron';

import type { CondenseBridge } from '../../shared/api/bridge';
import { METHOD_NAME_PATTERN } from '../../shared/api/bridge';
import { IPC_EVENT_CHANNEL, IPC_PREFIX } from '../../shared/api/contract';
import type { Envelope } from '../../shared/api/errors';
import type { JobEvent } from '../../shared/api/jobs';

/**
 * The page gets two functions, never ipcRenderer itself: `invoke` reaches only `condense:<domain>:<verb>`
 * channels (the main process registers one per contract method and checks the sender again), and
 * `onJobEvent` delivers the job stream.
 */
const bridge: CondenseBridge = {
  invoke(method, request) {
    if (typeof method !== 'string' || !METHOD_NAME_PATTERN.test(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'INVALID_INPUT', message: `"${String(method)}" is not a Condense method.` },
      } satisfies Envelope<unknown>);
    }
    return ipcRenderer.invoke(`${IPC_PREFIX}${method}`, request) as Promise<Envelope<unknown>>;
  },
  onJobEvent(listener) {
    const forward = (_event: Electron.IpcRendererEvent, jobEvent: JobEvent) => listener(jobEvent);
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.off(IPC_EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('condense', bridge);
