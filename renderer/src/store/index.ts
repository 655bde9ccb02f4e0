import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createStore } from 'zustand/vanilla';

import { createBuildSlice } from './build-slice';
import { createEnvironmentSlice } from './environment-slice';
import { createImagesSlice } from './images-slice';
import { createJobsSlice } from './jobs-slice';
import { createLockSlice } from './lock-slice';
import { createProjectSlice, createUiSlice } from './project-slice';
import { createPushSlice } from './push-slice';
import { createRecipeSlice } from './recipe-slice';
import { createTraceSlice } from './trace-slice';
import type { AppState, StoreDeps } from './types';

export type AppStore = StoreApi<AppState>;

/** One store made of slices, with the API client injected (tests pass an in-memory one). */
export function createAppStore(deps: StoreDeps): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createUiSlice(deps)(...a),
    ...createProjectSlice(deps)(...a),
    ...createEnvironmentSlice(deps)(...a),
    ...createLockSlice(deps)(...a),
    ...createRecipeSlice(deps)(...a),
    ...createBuildSlice(deps)(...a),
    ...createImagesSlice(deps)(...a),
    ...createPushSlice(deps)(...a),
    ...createTraceSlice(deps)(...a),
    ...createJobsSlice(deps)(...a),
  }));
}

export const StoreContext = createContext<AppStore | null>(null);

/** Reads a slice of the store provided by <StoreContext.Provider>. */
export function useApp<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useApp must be used inside <StoreContext.Provider>.');
  return useStore(store, selector);
}

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore must be used inside <StoreContext.Provider>.');
  return store;
}
