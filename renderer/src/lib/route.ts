import { useEffect, useRef } from 'react';

import { useApp, useAppStore } from '../store';
import type { Screen } from '../store/types';

const SCREENS: readonly Screen[] = ['projects', 'environment', 'lock', 'image', 'build', 'results'];

export interface Route {
  dir?: string;
  screen: Screen;
}

/** `#/project/<folder, encoded>/<screen>`; `#/` for the Projects screen without a project. */
export function formatRoute(route: Route): string {
  if (!route.dir) return '#/';
  return `#/project/${encodeURIComponent(route.dir)}/${route.screen}`;
}

export function parseRoute(hash: string): Route {
  const match = /^#\/project\/([^/]+)(?:\/([a-z]+))?\/?$/.exec(hash);
  if (!match) return { screen: 'projects' };
  let dir: string;
  try {
    dir = decodeURIComponent(match[1]!);
  } catch {
    return { screen: 'projects' };
  }
  const screen = SCREENS.find((s) => s === match[2]) ?? 'environment';
  return { dir, screen };
}

/**
 * Keeps the address in step with the open project and screen, so a reload returns to the same
 * place: on start the project in the address is opened and its screen shown.
 */
export function useRouteSync(): void {
  const screen = useApp((s) => s.screen);
  const dir = useApp((s) => s.project?.dir);
  const openProject = useApp((s) => s.openProject);
  const go = useApp((s) => s.go);
  const store = useAppStore();
  const restoring = useRef(true);

  useEffect(() => {
    const route = parseRoute(window.location.hash);
    if (!route.dir) {
      restoring.current = false;
      return;
    }
    void openProject(route.dir).then(() => {
      restoring.current = false;
      if (store.getState().project) go(route.screen);
    });
  }, [openProject, go, store]);

  useEffect(() => {
    // While the address's project opens, the address stays as it is.
    if (restoring.current) return;
    const next = formatRoute({ dir, screen });
    if (window.location.hash !== next) window.history.replaceState(null, '', next);
  }, [dir, screen]);
}
