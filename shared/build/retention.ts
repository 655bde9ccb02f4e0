/**
 * How many builds' images are kept by default. Five: enough to compare the current build with the
 * last few and to go back to a recent image, while a user who builds fifty times does not keep fifty
 * images per variant (each is often hundreds of MB). The latest `<repo>:<variant>` tags always stay.
 */
export const DEFAULT_KEEP_BUILDS = 5;
