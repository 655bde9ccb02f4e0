// electron-builder afterPack hook: flips Electron's fuses in the packed binary (Electron's security
// checklist item 7). Without it anyone could run the app's binary as plain Node (ELECTRON_RUN_AS_NODE)
// or point it at code outside app.asar.
import { join } from 'node:path';

// @electron/fuses is CommonJS with re-exported enums that Node cannot see as named exports.
import fuses from '@electron/fuses';

const { flipFuses, FuseV1Options, FuseVersion } = fuses;

/** Every fuse set explicitly (strictlyRequireAllFuses): a fuse added by a newer Electron fails the build. */
export const FUSES = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

// builder-util's Arch enum: arm64 = 3, universal = 4.
const ARM_ARCHES = new Set([3, 4]);

/** The file holding the fuse wire for the platform electron-builder just packed. */
export function executablePath(context) {
  const { electronPlatformName, appOutDir, packager } = context;
  const product = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return join(appOutDir, `${product}.app`);
  }
  if (electronPlatformName === 'win32') return join(appOutDir, `${product}.exe`);
  return join(appOutDir, packager.executableName);
}

export async function afterPack(context) {
  const darwin = context.electronPlatformName === 'darwin';
  await flipFuses(executablePath(context), {
    ...FUSES,
    // Flipping fuses breaks the ad-hoc signature of arm64 macOS builds; re-sign them.
    resetAdHocDarwinSignature: darwin && ARM_ARCHES.has(context.arch),
  });
}

export default afterPack;
