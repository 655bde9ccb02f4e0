// Injected by the build (esbuild define); falls back for tests that run the sources directly.
declare const __CONDENSE_VERSION__: string | undefined;

export const APP_NAME = 'Condense';
export const APP_VERSION: string =
  typeof __CONDENSE_VERSION__ === 'string'
    ? __CONDENSE_VERSION__
    : (process.env.npm_package_version ?? '0.1.0');
