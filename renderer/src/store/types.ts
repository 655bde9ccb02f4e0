import type { StateCreator } from 'zustand/vanilla';

import type { BuildRecord, VariantResult } from '../../../shared/api/build';
import type { ApiClient } from '../../../shared/api/contract';
import type { JobEvent, JobKind, JobProgress } from '../../../shared/api/jobs';
import type { ProjectInfo, RecentProject } from '../../../shared/api/project';
import type { PrunePresetId, Recipe } from '../../../shared/recipe/model';
import type { SavingsEstimate } from '../../../shared/recipe/savings';
import type { LogBuffer } from './log-buffer';
import type { EnvironmentSpec, ExportRequest, LockState, PackageMatch } from './pending-contract';

/** What every slice gets: the injected API client and a frame scheduler (tests pass a synchronous one). */
export interface StoreDeps {
  api: ApiClient;
  schedule?: (flush: () => void) => void;
}

export type Screen = 'projects' | 'environment' | 'lock' | 'image' | 'build' | 'results';

export interface UiSlice {
  screen: Screen;
  exportOpen: boolean;
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
}

export interface EnvironmentSlice {
  environment?: EnvironmentSpec;
  searchResults: PackageMatch[];
  searchQuery: string;
  searching: boolean;
  environmentError?: string;
  loadEnvironment: () => Promise<void>;
  searchPackages: (query: string) => Promise<void>;
  addPackage: (name: string, spec?: string) => Promise<void>;
  removePackage: (name: string) => Promise<void>;
  pinPackage: (name: string, spec: string) => Promise<void>;
  setPython: (version: string) => Promise<void>;
  moveChannel: (index: number, delta: -1 | 1) => Promise<void>;
}

export interface LockSlice {
  lock?: LockState;
  lockJobId?: string;
  lockError?: string;
  loadLock: () => Promise<void>;
  startLock: () => Promise<void>;
}

export interface RecipeSlice {
  recipe?: Recipe;
  /** Savings of every catalog rule on the locked environment; absent before the first lock. */
  savings?: SavingsEstimate;
  /** Id of the variant whose prune rules the Image screen edits (`default` without variants). */
  editingVariant?: string;
  /** Generated locally from the recipe on every change (no round trip). */
  dockerfile: string;
  /** Why the Dockerfile cannot be generated (an invalid field), with what to change. */
  recipeIssue?: string;
  recipeError?: string;
  loadRecipe: () => Promise<void>;
  updateRecipe: (patch: Partial<Omit<Recipe, 'variants' | 'prune'>>) => Promise<void>;
  toggleRule: (ruleId: string) => Promise<void>;
  applyPreset: (preset: PrunePresetId) => Promise<void>;
  selectVariant: (id: string) => void;
  /** Adds a variant starting from the rules being edited, so builds compare it with the others. */
  addVariant: (id: string) => Promise<void>;
}

export interface BuildSlice {
  buildJobId?: string;
  /** Recent builds with their layers, newest first. */
  history: BuildRecord[];
  buildError?: string;
  loadHistory: () => Promise<void>;
  startBuild: (variants: string[]) => Promise<void>;
  cancelJob: (jobId: string) => Promise<void>;
  /** Writes the chosen files; returns their paths, throws what the service threw. */
  exportVariant: (request: Omit<ExportRequest, 'projectDir'>) => Promise<string[]>;
}

export interface StepView {
  id: string;
  name: string;
  state: 'running' | 'done' | 'cached' | 'error';
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
  JobsSlice;

export type SliceCreator<S> = (deps: StoreDeps) => StateCreator<AppState, [], [], S>;
