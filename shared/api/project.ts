import { z } from 'zod';

import { absolutePath, list, noFields, shortText, userFolder } from './fields';
import type { JobStarted } from './jobs';
import type { RequestSchemas } from './schema';

/** A project is a folder holding environment.yml (the conda environment) and condense.yml (the recipe). */
export interface ProjectInfo {
  /** Absolute path of the project folder (what every domain request calls `projectDir`). */
  dir: string;
  /** The folder's name, shown in titles and the recent list. */
  name: string;
  /** Files this call wrote (skeletons, relative to `dir`); existing files are never overwritten. */
  created: string[];
}

/** One entry of the recent-projects list kept in the user config dir, most recent first. */
export interface RecentProject {
  dir: string;
  name: string;
  /** ISO time of the last create or open. */
  openedAt: string;
  /** True when the folder or its environment.yml is gone (moved, deleted, unmounted drive). */
  missing: boolean;
}

export interface ProjectCreateRequest {
  /** Absolute folder path (or starting with `~/`); created when missing. */
  dir: string;
  /** Conda environment name written into environment.yml; defaults to the folder name. */
  name?: string;
  /** Channels in priority order; defaults to conda-forge. */
  channels?: string[];
  /** Python version spec, e.g. `3.11`; defaults to 3.11. */
  python?: string;
}

export interface ProjectMethods {
  /** Writes environment.yml and condense.yml skeletons; ALREADY_EXISTS when environment.yml is there. */
  'project:create': { request: ProjectCreateRequest; response: ProjectInfo };
  /** Opens a folder holding environment.yml; adds a condense.yml skeleton when it has none. */
  'project:open': { request: { dir: string }; response: ProjectInfo };
  /**
   * Writes the example project (a small FastAPI service) into `dir`, or into a new folder under the
   * home folder when absent, and opens it; ALREADY_EXISTS when `dir` holds a project.
   */
  'project:createExample': { request: { dir?: string }; response: ProjectInfo };
  /** Most recent first, at most 12. */
  'project:recent': { request: Record<string, never>; response: RecentProject[] };
  /** Removes a folder from the recent list (the folder itself is left alone). */
  'project:forget': { request: { dir: string }; response: { removed: boolean } };
  /**
   * Watches environment.yml, condense.yml and the lockfiles of a project as a `watch` job: each
   * burst of changes on disk sends a `changed` event ({ files: names }); `jobs:cancel` stops it.
   */
  'project:watch': { request: { dir: string }; response: JobStarted };
}

/**
 * Native dialogs. Browser mode has no native picker: `dialog:pickFolder` fails there with
 * PERMISSION_DENIED and a message asking the user to type the folder path instead.
 */
export interface DialogMethods {
  /** `dir` is absent when the user cancelled. */
  'dialog:pickFolder': {
    request: { title?: string; defaultPath?: string };
    response: { dir?: string };
  };
}

export const projectSchemas = {
  'project:create': z.strictObject({
    dir: userFolder,
    name: shortText(64).optional(),
    channels: list(shortText(2048), 20).optional(),
    python: shortText(64).optional(),
  }),
  'project:open': z.strictObject({ dir: userFolder }),
  'project:recent': noFields,
  'project:forget': z.strictObject({ dir: userFolder }),
  'project:createExample': z.strictObject({ dir: userFolder.optional() }),
  'project:watch': z.strictObject({ dir: absolutePath }),
} satisfies RequestSchemas<keyof ProjectMethods>;

export const dialogSchemas = {
  'dialog:pickFolder': z.strictObject({
    title: shortText().optional(),
    defaultPath: absolutePath.optional(),
  }),
} satisfies RequestSchemas<keyof DialogMethods>;
