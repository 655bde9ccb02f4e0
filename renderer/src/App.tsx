import { useEffect, useRef } from 'react';

import { ExportDialog } from './components/ExportDialog';
import { useRouteSync } from './lib/route';
import { BuildScreen } from './screens/build/BuildScreen';
import { EnvironmentScreen } from './screens/environment/EnvironmentScreen';
import { ImageScreen } from './screens/image/ImageScreen';
import { LockScreen } from './screens/lock/LockScreen';
import { ProjectsScreen } from './screens/ProjectsScreen';
import { ResultsScreen } from './screens/results/ResultsScreen';
import { useApp } from './store';
import { projectSelectors } from './store/selectors';
import type { Screen } from './store/types';

const STEPS: { screen: Screen; label: string }[] = [
  { screen: 'projects', label: 'Projects' },
  { screen: 'environment', label: 'Environment' },
  { screen: 'lock', label: 'Lock' },
  { screen: 'image', label: 'Image' },
  { screen: 'build', label: 'Build' },
  { screen: 'results', label: 'Results' },
];

const SCREENS: Record<Screen, () => React.JSX.Element> = {
  projects: ProjectsScreen,
  environment: EnvironmentScreen,
  lock: LockScreen,
  image: ImageScreen,
  build: BuildScreen,
  results: ResultsScreen,
};

/** The frame: left navigation by step, the current screen, the export dialog. */
export function App() {
  const screen = useApp((s) => s.screen);
  const project = useApp((s) => s.project);
  const lockStatus = useApp((s) => s.lockStatus);
  const exportOpen = useApp((s) => s.exportOpen);
  const go = useApp((s) => s.go);
  const setExportOpen = useApp((s) => s.setExportOpen);
  const Current = SCREENS[screen];
  useRouteSync();
  const main = useRef<HTMLElement>(null);
  const shown = useRef(screen);
  useEffect(() => {
    // Keyboard and screen-reader users land in the new screen, not on the button they pressed.
    if (shown.current !== screen) main.current?.focus();
    shown.current = screen;
  }, [screen]);
  const stale = lockStatus?.stale === true;

  return (
    <div className="app">
      <nav aria-label="Steps" className="sidebar">
        <h1 className="brand">Condense</h1>
        {project ? (
          <p className="project-name" title={project.dir}>
            {project.name}
          </p>
        ) : null}
        <ol>
          {STEPS.map((step, i) => (
            <li key={step.screen}>
              <button
                type="button"
                aria-current={screen === step.screen ? 'page' : undefined}
                disabled={!projectSelectors.screenEnabled({ project }, step.screen)}
                onClick={() => go(step.screen)}
              >
                <span className="step-number" aria-hidden="true">
                  {i + 1}
                </span>
                {step.label}
                {step.screen === 'lock' && stale ? (
                  <span className="badge warn" aria-label="(lock is stale)">
                    !
                  </span>
                ) : null}
              </button>
            </li>
          ))}
        </ol>
        <button type="button" disabled={!project} onClick={() => setExportOpen(true)}>
          Export…
        </button>
      </nav>
      <main className="main" ref={main} tabIndex={-1}>
        <Current />
      </main>
      {exportOpen ? <ExportDialog /> : null}
    </div>
  );
}
