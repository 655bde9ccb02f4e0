import type { CliCommand } from '../command';

/** A command as `condense --help` lists it; its module (and what it imports) loads only when run. */
export interface CliCommandEntry {
  name: string;
  summary: string;
  load(): Promise<CliCommand>;
}

/** Every CLI command; each lives in its own file in this folder. */
export const commands: CliCommandEntry[] = [
  {
    name: 'init',
    summary: 'Create a project here: environment.yml and condense.yml (existing files are kept)',
    load: async () => (await import('./init')).initCommand,
  },
  {
    name: 'serve',
    summary: 'Serve the app to a browser on 127.0.0.1 and print its URL with the access token',
    load: async () => (await import('./serve')).serveCommand,
  },
  {
    name: 'lock',
    summary: 'Lock environment.yml into conda-<platform>.lock and conda-lock.yml',
    load: async () => (await import('./lock')).lockCommand,
  },
  {
    name: 'import',
    summary: 'Import lockfiles (explicit files, conda-lock.yml) as the project lock',
    load: async () => (await import('./import')).importCommand,
  },
  {
    name: 'env',
    summary:
      'Show the environment for one platform: channels, conda and pip specs, variables, warnings',
    load: async () => (await import('./env')).envCommand,
  },
  {
    name: 'search',
    summary: "Search package names in the project's channels",
    load: async () => (await import('./search')).searchCommand,
  },
  {
    name: 'build',
    summary:
      'Build the image (each variant) with BuildKit, smoke-test it and keep it in the history',
    load: async () => (await import('./build')).buildCommand,
  },
  {
    name: 'compare',
    summary: 'Compare the variants of a build, or two builds: size, layers, time, smoke test',
    load: async () => (await import('./compare')).compareCommand,
  },
  {
    name: 'images',
    summary: "List this project's images on the engine; --prune removes older builds' tags",
    load: async () => (await import('./images')).imagesCommand,
  },
  {
    name: 'dockerfile',
    summary: 'Print the Dockerfile generated from condense.yml',
    load: async () => (await import('./dockerfile')).dockerfileCommand,
  },
  {
    name: 'analyze',
    summary: 'Estimate what each prune rule removes from the locked environment',
    load: async () => (await import('./analyze')).analyzeCommand,
  },
  {
    name: 'trace',
    summary:
      "Run a variant's checks under strace: what the image uses against what it ships (--suggest: the traced variant)",
    load: async () => (await import('./trace')).traceCommand,
  },
  {
    name: 'export',
    summary:
      'Write a folder that builds on its own: Dockerfiles, .dockerignore, environment, lockfiles, copied sources, README',
    load: async () => (await import('./export')).exportCommand,
  },
  {
    name: 'sbom',
    summary: 'Write an SPDX 2.3 SBOM of the locked environment (stdout, or --output F)',
    load: async () => (await import('./sbom')).sbomCommand,
  },
  {
    name: 'push',
    summary:
      "Push the latest build's variants to a registry (Docker's credentials; --json prints digests)",
    load: async () => (await import('./push')).pushCommand,
  },
];
