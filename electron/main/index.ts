import { join } from 'node:path';

import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session } from 'electron';

import type { ApiHandlers } from '../../shared/api/contract';
import { IPC_EVENT_CHANNEL } from '../../shared/api/contract';
import { createApiHandlers } from '../services/api-handlers';
import { rendererDir } from '../services/app-info';
import { JobManager } from '../services/jobs/job-manager';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol';
import { registerIpcHandlers } from './ipc';
import { menuTemplate } from './menu';
import { APP_SCHEME } from './sender-check';
import { createMainWindow, denyPermissions, hardenContents } from './window';

// Must happen before `ready`: gives app:// a real origin, secure context and fetch.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const jobs = new JobManager();

const pickFolder: ApiHandlers['dialog:pickFolder'] = async (request) => {
  const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const options: Electron.OpenDialogOptions = {
    title: typeof request?.title === 'string' ? request.title : 'Choose a folder',
    properties: ['openDirectory', 'createDirectory'],
    ...(typeof request?.defaultPath === 'string' ? { defaultPath: request.defaultPath } : {}),
  };
  const result = parent
    ? await dialog.showOpenDialog(parent, options)
    : await dialog.showOpenDialog(options);
  const dir = result.canceled ? undefined : result.filePaths[0];
  return dir ? { dir } : {};
};

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const window = BrowserWindow.getAllWindows()[0];
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });

  app.on('web-contents-created', (_event, contents) => hardenContents(contents));

  void app.whenReady().then(() => {
    denyPermissions(session.defaultSession);
    // A packaged app serves only its own asar: no environment variable may point the UI elsewhere.
    const uiDir = app.isPackaged
      ? join(app.getAppPath(), 'out', 'renderer')
      : rendererDir(app.getAppPath());
    protocol.handle(APP_SCHEME, createAppProtocolHandler(uiDir));
    registerIpcHandlers(ipcMain, createApiHandlers({ jobs, mode: 'electron', pickFolder }));
    // Job events go to every window (a window opened later replays through the job list).
    jobs.onEvent((event) => {
      for (const window of BrowserWindow.getAllWindows()) {
        if (!window.webContents.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event);
      }
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, app.isPackaged)));
    createMainWindow(app);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(app);
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    // Cancel running builds and locks before exiting, so no BuildKit session is left behind.
    quitting = true;
    event.preventDefault();
    void jobs.shutdown().finally(() => app.quit());
  });
}
