import { useEffect, useState } from 'react';

import { DEFAULT_KEEP_BUILDS } from '../../../shared/build/retention';
import { formatSizeColumn } from '../../../shared/format/size';
import { useApp } from '../store';

/**
 * "Images on the engine": the project's tags with build, size and time, and a button that removes
 * older builds' tags after a confirmation (the latest tags and the newest builds' tags stay).
 */
export function EngineImages() {
  const images = useApp((s) => s.engineImages);
  const error = useApp((s) => s.imagesError);
  const message = useApp((s) => s.imagesMessage);
  const busy = useApp((s) => s.imagesBusy);
  const loadImages = useApp((s) => s.loadImages);
  const pruneOldImages = useApp((s) => s.pruneOldImages);
  const history = useApp((s) => s.history);
  const [confirming, setConfirming] = useState(false);

  // Reloaded when the history changes: a finished build adds tags and may have removed old ones.
  useEffect(() => {
    void loadImages();
  }, [loadImages, history]);

  const sizes = formatSizeColumn((images ?? []).map((i) => i.sizeBytes));
  const old = (images ?? []).filter((i) => i.buildId).length;

  return (
    <section className="card" aria-labelledby="engine-images-title">
      <h3 id="engine-images-title">Images on the engine</h3>
      {error ? <p className="muted">Images could not be listed: {error}</p> : null}
      {images && images.length === 0 ? (
        <p className="muted">No images of this project on the engine.</p>
      ) : null}
      {images && images.length > 0 ? (
        <table aria-label="Images on the engine">
          <thead>
            <tr>
              <th scope="col">Tag</th>
              <th scope="col">Build</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {images.map((image, i) => (
              <tr key={image.tag}>
                <td className="nowrap">{image.tag}</td>
                <td className="nowrap">{image.buildId ?? 'latest'}</td>
                <td className="num">{sizes[i]}</td>
                <td className="nowrap">{image.created.slice(0, 19).replace('T', ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {confirming ? (
        <div role="group" aria-label="Confirm removing old images" className="row">
          <span>
            Remove the tags of all but the newest {DEFAULT_KEEP_BUILDS} builds? Their sizes stay in
            the history; images still tagged elsewhere or used by a container are kept.
          </span>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => {
              setConfirming(false);
              void pruneOldImages();
            }}
          >
            Remove
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="row">
          <button type="button" disabled={busy || old === 0} onClick={() => setConfirming(true)}>
            Remove old images…
          </button>
          {busy ? <span role="status">Removing old images…</span> : null}
        </div>
      )}
      {message ? <p role="status">{message}</p> : null}
    </section>
  );
}
