import type { StateCreator } from 'zustand/vanilla';

import type { BuildRecord, ProjectImage, VariantResult } from '../../../shared/api/build';
import type { ApiClient } from '../../../shared/api/contract';
import type { JobEvent, JobKind, JobProgress } from '../../../shared/api/jobs';
import type {
  EnvironmentSpec,
  LockDiff,
  LockedPackage,
  LockStatus,
  PackageSearchResult,
} from '../../../shared/api/lock';
import type { PipSearchResult } from '../../../shared/api/pip';
import type { ProjectInfo, RecentProject } from '../../../shared/api/project';
import type {
  ExportResult,
  RecipeIssue,
  RuleSaving,
  SavingsReport,
} from '../../../shared/api/recipe';
import type { TraceRecord } from '../../../shared/api/trace';
import type { PrunePresetId, Recipe } from '../../../shared/recipe/model';
import type { TraceReport } from '../../../shared/trace/model';
import type { LogBuffer } from './log-buffer';

/** What every slice gets: the injected API client and a frame scheduler (tests pass a synchronous one). */
export interface StoreDeps {
  api: ApiClient;
  schedule?: (flush: () => void) => void;
}

export type Screen = 'projects' | 'environment' | 'lock' | 'image' | 'build' | 'results';

export interface UiSlice {
  screen: Screen;
  exportOpen: boolean;
  /** Which door serves the UI; the native folder picker exists only in Electron. */
  appMode?: 'electron' | 'browser';
  loadAppInfo: () => Promise<void>;
  go: (screen: Screen) => void;
  setExportOpen: (open: boolean) => void;
}

export interface ProjectSlice {
  project?: ProjectInfo;
  recent: RecentProject[];
  projectBusy: boolean;
  projectError?: string;
  loadRecent: () => Promise<void>;
  /** The native picker's folder; undefined when cancelled or unavailable (message in projectError). */
  pickFolder: () => Promise<string | undefined>;
  createProject: (dir: string, name?: string) => Promise<void>;
  openProject: (dir: string) => Promise<void>;
  /** Creates the example project (a small FastAPI service) in a new folder and opens it. */
  openExample: () => Promise<void>;
  /** Removes a folder from the recent list (the folder itself stays). */
  forgetProject: (dir: string) => Promise<void>;
  /** The job watching the open project's files. */
  watchJobId?: string;
  /** Files of the open project changed on disk (names): reloads what they feed. */
  filesChanged: (files: string[]) => Promise<void>;
}

export interface EnvironmentSlice {
  environment?: EnvironmentSpec;
  searchResults: PackageSearchResult[];
  searchQuery: string;
  searching: boolean;
  /** Channels the last search could not read (it shows the others' results). */
  searchNotice?: string;
  environmentError?: string;
  loadEnvironment: () => Promise<void>;
  searchPackages: (query: string) => Promise<void>;
  addPackage: (name: string, spec?: string) => Promise<void>;
  removePackage: (name: string) => Promise<void>;
  /** The dependency line the last Remove took out, for Undo. */
  lastRemoved?: { name: string; line: string };
  /** Puts the last removed dependency back as it was written. */
  undoRemove: () => Promise<void>;
  pinPackage: (name: string, spec: string) => Promise<void>;
  setPython: (version: string) => Promise<void>;
  moveChannel: (index: number, delta: -1 | 1) => Promise<void>;
  /** Appends a channel (lowest priority); a name (`conda-forge`) or an http(s) URL. */
  addChannel: (channel: string) => Promise<void>;
  removeChannel: (channel: string) => Promise<void>;
  /** `pip:search` results on the project's pip indexes. */
  pipResults: PipSearchResult[];
  pipSearching: boolean;
  searchPip: (query: string) => Promise<void>;
  /** Adds a `pip:` requirement line (or replaces the one of the same package). */
  setPipRequirement: (line: string) => Promise<void>;
  removePipRequirement: (name: string) => Promise<void>;
}

export interface LockSlice {
  lockStatus?: LockStatus;
  /** The project's locked packages (every platform). */
  lockPackages: LockedPackage[];
  /** Packages before the running relock, to diff against when it ends. */
  lockBefore?: LockedPackage[];
  /** What the last relock in this session changed. */
  lockDiff?: LockDiff;
  lockJobId?: string;
  lockError?: string;
  loadLock: () => Promise<void>;
  /** `updateAll` ignores the previous lock; otherwise packages keep their versions where they still fit. */
  startLock: (options?: { updateAll?: boolean }) => Promise<void>;
  /** Called when a lock job ends: reloads the lock, diffs it, re-estimates the savings. */
  lockFinished: () => Promise<void>;
}

/** The app's recipe change was refused because condense.yml changed on disk. */
export interface RecipeConflict {
  /** The service's message: what changed. */
  message: string;
  /** The revision of the file on disk when the save was refused. */
  revision?: string;
}

export interface RecipeSlice {
  recipe?: Recipe;
  /** Bumped when the recipe is (re)loaded from the project, so forms drop their drafts. */
  recipeVersion: number;
  /** Problems of condense.yml as stored, each naming its field. */
  recipeIssues: RecipeIssue[];
  /** Savings of every catalog rule on the locked environment; absent before the first lock. */
  savings?: SavingsReport;
  analyzeJobId?: string;
  /** Build with BuildKit (else the classic builder with the classic Dockerfile). */
  useBuildKit: boolean;
  setUseBuildKit: (on: boolean) => void;
  /** Starts the savings analysis job; the result lands in `savings`. */
  analyze: () => Promise<void>;
  /** Called when an analyze job ends with its SavingsReport. */
  analyzeFinished: (jobId: string, result: unknown) => void;
  /** Id of the variant whose prune rules the Image screen edits (`default` without variants). */
  editingVariant?: string;
  /** Generated locally from the recipe on every change (no round trip). */
  dockerfile: string;
  /** Why the Dockerfile cannot be generated (an invalid field), with what to change. */
  recipeIssue?: string;
  recipeError?: string;
  /** The revision of condense.yml the recipe was read or last saved at; saves are based on it. */
  recipeRevision?: string;
  /** Saves queued or running; a change seen on disk meanwhile is the app's own. */
  recipeSavesPending: number;
  /** Revisions of condense.yml the app wrote itself (the latest few). */
  recipeOwnRevisions: string[];
  /** Set when condense.yml changed on disk (a hand edit) and the app's change was not saved. */
  recipeConflict?: RecipeConflict;
  /** (Re)reads condense.yml; also "Reload from disk" after a conflict (drops the unsaved change). */
  loadRecipe: () => Promise<void>;
  /** Generates the preview again (environment.yml's variables changed). */
  refreshPreview: () => void;
  /** After a conflict: saves the app's recipe over the file as it is now, explicitly. */
  keepRecipeChange: () => Promise<void>;
  /** Resolves when the recipe saves queued so far have landed (a build reads condense.yml). */
  recipeSaved: () => Promise<void>;
  updateRecipe: (patch: Partial<Omit<Recipe, 'variants' | 'prune'>>) => Promise<void>;
  toggleRule: (ruleId: string) => Promise<void>;
  applyPreset: (preset: PrunePresetId) => Promise<void>;
  /** Adds a custom prune glob (relative to the prefix) to the rules being edited; checked first. */
  addCustomRule: (glob: string) => Promise<void>;
  removeCustomRule: (glob: string) => Promise<void>;
  /** What a custom glob being typed would remove; answers for older text are dropped. */
  globEstimate?: { glob: string; saving?: RuleSaving; error?: string };
  estimateGlob: (glob: string) => Promise<void>;
  selectVariant: (id: string) => void;
  /** Adds a variant starting from the rules being edited, so builds compare it with the others. */
  addVariant: (id: string) => Promise<void>;
}

export interface BuildSlice {
  buildJobId?: string;
  /** The variants the current build was asked for, so the screen shows the ones still to come. */
  buildVariants: string[];
  /** Recent builds with their layers, newest first. */
  history: BuildRecord[];
  buildError?: string;
  /** Smoke test: Python modules to import in each image, comma or space separated. */
  smokeModules: string;
  /** Smoke test: a command to run in each image, as a JSON list; empty for none. */
  smokeCommand: string;
  setSmoke: (patch: { smokeModules?: string; smokeCommand?: string }) => void;
  /** Build jobs whose record is in `history` (reloaded after they ended): shown from there only. */
  syncedBuildJobs: string[];
  loadHistory: () => Promise<void>;
  /** Called when a build job ends: reloads the history. */
  buildFinished: (jobId: string) => Promise<void>;
  startBuild: (variants: string[]) => Promise<void>;
  cancelJob: (jobId: string) => Promise<void>;
  /** Writes Dockerfile, lockfiles and the rest into `dir`; throws what the service threw. */
  exportProject: (dir: string, force: boolean) => Promise<ExportResult>;
}

/** The project's images on the engine (Results screen), and removing old builds' tags. */
export interface ImagesSlice {
  /** Undefined until loaded. */
  engineImages?: ProjectImage[];
  imagesError?: string;
  /** What the last removal did. */
  imagesMessage?: string;
  imagesBusy: boolean;
  loadImages: () => Promise<void>;
  /** Removes the tags of all but the newest `keep` builds (the service's default when absent). */
  pruneOldImages: (keep?: number) => Promise<void>;
}

/** Pushing the latest build to a registry (Results screen). */
export interface PushSlice {
  /** The running or last push job. */
  pushJobId?: string;
  pushError?: string;
  startPush: (registry: string, options?: { insecure?: boolean }) => Promise<void>;
}

/** Tracing a built variant (Results screen, "What does the image use?"). */
export interface TraceSlice {
  /** The project's stored traces, newest first (`trace:list`); one per variant. */
  traces: TraceRecord[];
  /** Why the stored traces could not be read. */
  tracesError?: string;
  /** The running or last trace job. */
  traceJobId?: string;
  /** What that job was asked for. */
  traceRequest?: { variant: string; suggest: boolean };
  /** Why a trace could not start. */
  traceError?: string;
  loadTraces: () => Promise<void>;
  /** `trace:start` for a variant; `suggest` also builds, re-checks and writes the `traced` variant. */
  startTrace: (variant: string, options?: { suggest?: boolean }) => Promise<void>;
  /** Called when a trace job ends with its record: keeps it, reloads what the suggestion wrote. */
  traceFinished: (record: unknown) => Promise<void>;
}

export interface StepView {
  id: string;
  name: string;
  /** `waiting`: seen but not started; `cancelled`: stopped or never run because the build ended. */
  state: 'waiting' | 'running' | 'done' | 'cached' | 'failed' | 'cancelled';
  /** Epoch milliseconds. */
  startedAt?: number;
  completedAt?: number;
  error?: string;
}

/** Everything the UI knows about one job, rebuilt from its events (the replay buffer). */
export interface JobView {
  jobId: string;
  job: JobKind;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  lastSeq: number;
  progress?: JobProgress;
  error?: string;
  steps: StepView[];
  /** Variants finished so far, in the order they finished. */
  variants: VariantResult[];
  logLines: number;
  /** The `done` event's data. */
  result?: unknown;
  /** A trace job's report, sent before `done` (the suggestion may still be building). */
  report?: TraceReport;
}

export interface JobsSlice {
  jobs: Record<string, JobView>;
  /** Log text per job; read through `logs.get(jobId)`, re-read when `logTick` changes. */
  logs: Map<string, LogBuffer>;
  logTick: number;
  /** Registers a job the store started, before its first event arrives. */
  trackJob: (jobId: string, job: JobKind) => void;
  receiveEvents: (events: JobEvent[]) => void;
}

export type AppState = UiSlice &
  ProjectSlice &
  EnvironmentSlice &
  LockSlice &
  RecipeSlice &
  BuildSlice &
  ImagesSlice &
  PushSlice &
  TraceSlice &
  JobsSlice;

export type SliceCreator<S> = (deps: StoreDeps) => StateCreator<AppState, [], [], S>;
