import { useEffect, useState } from 'react';

import { EmptyState, ErrorNote } from '../components/Notice';
import { useApp } from '../store';

/** Create or open a project folder; recent projects. */
export function ProjectsScreen() {
  const recent = useApp((s) => s.recent);
  const busy = useApp((s) => s.projectBusy);
  const error = useApp((s) => s.projectError);
  const project = useApp((s) => s.project);
  const loadRecent = useApp((s) => s.loadRecent);
  const pickFolder = useApp((s) => s.pickFolder);
  const createProject = useApp((s) => s.createProject);
  const openProject = useApp((s) => s.openProject);
  const forgetProject = useApp((s) => s.forgetProject);
  const openExample = useApp((s) => s.openExample);
  const [dir, setDir] = useState('');
  const [name, setName] = useState('');
  const [pathError, setPathError] = useState('');

  const appMode = useApp((s) => s.appMode);
  const loadAppInfo = useApp((s) => s.loadAppInfo);

  useEffect(() => {
    void loadRecent();
    void loadAppInfo();
  }, [loadRecent, loadAppInfo]);

  const checked = () => {
    const trimmed = dir.trim();
    if (!trimmed) {
      setPathError(
        appMode === 'electron'
          ? 'Type the folder path (or use Browse…) first.'
          : 'Type the folder path first.',
      );
      return undefined;
    }
    setPathError('');
    return trimmed;
  };

  return (
    <section aria-labelledby="projects-title" className="screen">
      <h2 id="projects-title">Projects</h2>
      <p className="lead">
        Condense turns your conda environment into a small, reproducible Docker image for
        production, without writing a Dockerfile.
      </p>
      {!project ? (
        <div className="card row row-center">
          <p className="grow">
            New here? Open the example project, a small FastAPI service with a scikit-learn model,
            and try every step on it.
          </p>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void openExample()}
          >
            Open the example project
          </button>
        </div>
      ) : null}
      {project ? (
        <p>
          Open: <strong>{project.name}</strong> <code>{project.dir}</code>
        </p>
      ) : null}
      <form
        className="card stack"
        onSubmit={(e) => {
          e.preventDefault();
          const target = checked();
          if (target) void openProject(target);
        }}
      >
        <label>
          Project folder
          <span className="row">
            <input
              className="grow"
              value={dir}
              onChange={(e) => setDir(e.target.value)}
              placeholder="/home/me/projects/churn-model"
              aria-describedby="folder-help"
            />
            {appMode === 'electron' ? (
              <button
                type="button"
                onClick={() => {
                  void pickFolder().then((picked) => {
                    if (picked) setDir(picked);
                  });
                }}
              >
                Browse…
              </button>
            ) : null}
          </span>
        </label>
        <small id="folder-help" className="muted">
          Open a folder with an environment.yml, or create a new project in an empty folder.
        </small>
        <label>
          Name for a new project (optional)
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <ErrorNote message={pathError || error} />
        <div className="row">
          <button type="submit" disabled={busy}>
            Open project
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => {
              const target = checked();
              if (target) void createProject(target, name.trim() || undefined);
            }}
          >
            Create project
          </button>
        </div>
      </form>
      <h3>Recent projects</h3>
      {recent.length === 0 ? (
        <EmptyState title="No recent projects">
          <p>Projects you create or open appear here.</p>
        </EmptyState>
      ) : (
        <ul className="recent card" aria-label="Recent projects">
          {recent.map((r) => (
            <li key={r.dir} className="row">
              <button
                type="button"
                className="link"
                disabled={r.missing}
                onClick={() => void openProject(r.dir)}
              >
                {r.name}
              </button>
              <code className="muted grow">{r.dir}</code>
              {r.missing ? <span className="badge warn">folder missing</span> : null}
              <button
                type="button"
                aria-label={`Forget ${r.name}`}
                onClick={() => void forgetProject(r.dir)}
              >
                Forget
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
