import { useEffect, useRef, useState } from 'react';

import { describeError } from '../lib/format';
import { useApp } from '../store';
import { buildSelectors } from '../store/selectors';
import { ErrorNote } from './Notice';

/** Export a built variant: Dockerfile, lockfiles and optionally the image as a tar, into a folder. */
export function ExportDialog() {
  const project = useApp((s) => s.project);
  const history = useApp((s) => s.history);
  const close = useApp((s) => s.setExportOpen);
  const exportVariant = useApp((s) => s.exportVariant);
  const builds = buildSelectors.exportable({ history });
  const [buildId, setBuildId] = useState(builds[0]?.id ?? '');
  const build = builds.find((b) => b.id === buildId) ?? builds[0];
  const built = (build?.variants ?? []).filter((v) => v.state === 'succeeded');
  const [variant, setVariant] = useState(built[0]?.id ?? '');
  const [targetDir, setTargetDir] = useState(project ? `${project.dir}/export` : '');
  const [include, setInclude] = useState({ dockerfile: true, lockfiles: true, imageTar: false });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [files, setFiles] = useState<string[]>([]);
  const first = useRef<HTMLSelectElement>(null);

  useEffect(() => first.current?.focus(), []);

  const run = async () => {
    if (!project || !build) return;
    if (!targetDir.trim()) {
      setError('Type the folder to export into.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      setFiles(
        await exportVariant({ buildId: build.id, variant, targetDir: targetDir.trim(), include }),
      );
    } catch (thrown) {
      setError(describeError(thrown));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="export-title"
        className="dialog stack"
        onKeyDown={(e) => {
          if (e.key === 'Escape') close(false);
        }}
      >
        <h2 id="export-title">Export</h2>
        {!build ? (
          <p>Nothing to export yet: build a variant first (Build screen).</p>
        ) : (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void run();
            }}
          >
            <label>
              Build
              <select
                ref={first}
                value={build.id}
                onChange={(e) => {
                  setBuildId(e.target.value);
                  const next = builds.find((b) => b.id === e.target.value);
                  setVariant(next?.variants.find((v) => v.state === 'succeeded')?.id ?? '');
                }}
              >
                {builds.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.startedAt.slice(0, 16).replace('T', ' ')} ({b.variants.length} variants)
                  </option>
                ))}
              </select>
            </label>
            <label>
              Variant
              <select value={variant} onChange={(e) => setVariant(e.target.value)}>
                {built.map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.id}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Export folder
              <input value={targetDir} onChange={(e) => setTargetDir(e.target.value)} />
            </label>
            <fieldset>
              <legend>Include</legend>
              <label className="check">
                <input
                  type="checkbox"
                  checked={include.dockerfile}
                  onChange={(e) => setInclude({ ...include, dockerfile: e.target.checked })}
                />
                Dockerfile
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  checked={include.lockfiles}
                  onChange={(e) => setInclude({ ...include, lockfiles: e.target.checked })}
                />
                Lockfiles
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  checked={include.imageTar}
                  onChange={(e) => setInclude({ ...include, imageTar: e.target.checked })}
                />
                Image as a tar (docker save)
              </label>
            </fieldset>
            <ErrorNote message={error} />
            {files.length ? (
              <div role="status">
                Exported {files.length} files:
                <ul aria-label="Exported files">
                  {files.map((f) => (
                    <li key={f}>
                      <code>{f}</code>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <div className="row">
              <button type="submit" className="primary" disabled={busy}>
                {busy ? 'Exporting…' : 'Export'}
              </button>
            </div>
          </form>
        )}
        <button type="button" onClick={() => close(false)}>
          Close
        </button>
      </div>
    </div>
  );
}
