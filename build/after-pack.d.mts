/** Types of build/after-pack.mjs for the packaging test. */
export interface PackContextLike {
  electronPlatformName: string;
  appOutDir: string;
  arch: number;
  packager: { executableName: string; appInfo: { productFilename: string } };
}
export declare const FUSES: Record<string | number, unknown>;
export declare function executablePath(context: PackContextLike): string;
export declare function afterPack(context: PackContextLike): Promise<void>;
export default afterPack;
