import { useEffect, useRef, useState } from 'react';

import type { ExportResult } from '../../../shared/api/recipe';
import { describeError } from '../lib/format';
import { useApp } from '../store';
import { ErrorNote } from './Notice';

/** Export the build files (Dockerfile, .dockerignore, environment.yml, lockfiles, README) into a folder. */
export function ExportDialog() {
  const project = useApp((s) => s.project);
  const close = useApp((s) => s.setExportOpen);
  const exportProject = useApp((s) => s.exportProject);
  const [dir, setDir] = useState(project ? `${project.dir}/export` : '');
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState<ExportResult>();
  const first = useRef<HTMLInputElement>(null);

  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // Focus goes into the dialog, and back to what opened it when it closes.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    first.current?.focus();
    // Escape closes it wherever focus is (a button disabled while busy drops focus to the body).
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close(false);
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, [close]);

  const trapTab = (e: React.KeyboardEvent) => {
    if (e.key !== 'Tab' || !dialog.current) return;
    const focusable = [
      ...dialog.current.querySelectorAll<HTMLElement>('input, button, select, [tabindex="0"]'),
    ].filter((el) => !el.hasAttribute('disabled'));
    const [firstItem, lastItem] = [focusable[0], focusable[focusable.length - 1]];
    if (e.shiftKey && document.activeElement === firstItem) {
      e.preventDefault();
      lastItem?.focus();
    } else if (!e.shiftKey && document.activeElement === lastItem) {
      e.preventDefault();
      firstItem?.focus();
    }
  };

  const run = async () => {
    if (!dir.trim()) {
      setError('Type the folder to export into.');
      return;
    }
    setBusy(true);
    setError('');
    setResult(undefined);
    try {
      setResult(await exportProject(dir.trim(), force));
    } catch (thrown) {
      const message = describeError(thrown);
      setError(
        (thrown as { code?: string }).code === 'ALREADY_EXISTS'
          ? `${message} Tick “Overwrite existing files” or choose another folder.`
          : message,
      );
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
        ref={dialog}
        onKeyDown={trapTab}
      >
        <h2 id="export-title">Export</h2>
        <p className="muted">
          Writes the Dockerfile (and a classic-builder form), .dockerignore, environment.yml, the
          lockfiles, every file the Dockerfile copies (your package&apos;s sources) and a README, so
          the image can be rebuilt anywhere with <code>docker build</code>.
        </p>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          <label>
            Export folder
            <input ref={first} value={dir} onChange={(e) => setDir(e.target.value)} />
          </label>
          <label className="check">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
            Overwrite existing files
          </label>
          <ErrorNote message={error} />
          {result ? (
            <div role="status">
              Exported {result.files.length} files into <code>{result.dir}</code>:
              <ul aria-label="Exported files">
                {result.files.map((f) => (
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
            <button type="button" onClick={() => close(false)}>
              Close
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
