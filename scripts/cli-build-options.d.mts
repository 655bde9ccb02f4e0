import type { BuildOptions } from 'esbuild';

export const CLI_BUNDLED: string[];
export function cliBuildOptions(root: string): BuildOptions;
