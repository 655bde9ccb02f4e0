import { useState } from 'react';

import type { PushedTag } from '../../../shared/api/delivery';
import { useApp } from '../store';

/** Push the latest build's variants to the user's registry, with Docker's own login. */
export function PushPanel() {
  const [registry, setRegistry] = useState('');
  const [insecure, setInsecure] = useState(false);
  const startPush = useApp((s) => s.startPush);
  const cancelJob = useApp((s) => s.cancelJob);
  const pushError = useApp((s) => s.pushError);
  const job = useApp((s) => (s.pushJobId ? s.jobs[s.pushJobId] : undefined));
  const running = job?.state === 'running';
  const pushed = job?.state === 'succeeded' ? (job.result as PushedTag[]) : [];
  return (
    <section className="card" aria-labelledby="push-title">
      <h3 id="push-title">Push to a registry</h3>
      <p className="muted">
        Each variant goes up as <code>&lt;variant&gt;</code> and{' '}
        <code>&lt;variant&gt;-&lt;lock hash&gt;</code>. Condense uses your Docker login (
        <code>docker login</code>) and stores no credentials.
      </p>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          startPush(registry, { insecure }).catch((e: unknown) => console.error(e));
        }}
      >
        <label>
          Registry
          <input
            value={registry}
            placeholder="ghcr.io/my-org"
            onChange={(e) => setRegistry(e.target.value)}
            disabled={running}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={insecure}
            onChange={(e) => setInsecure(e.target.checked)}
          />
          Insecure registry (plain HTTP or untrusted certificate)
        </label>
        <button type="submit" className="primary" disabled={running || registry.trim() === ''}>
          Push
        </button>
        {running && job ? (
          <button
            type="button"
            onClick={() => {
              cancelJob(job.jobId).catch((e: unknown) => console.error(e));
            }}
          >
            Cancel push
          </button>
        ) : null}
      </form>
      {running ? <p role="status">{job?.progress?.message ?? 'Starting the push…'}</p> : null}
      {pushError || job?.state === 'failed' ? (
        <p role="alert" className="error">
          {pushError ?? job?.error}
        </p>
      ) : null}
      {job?.state === 'cancelled' ? <p role="status">Push cancelled.</p> : null}
      {pushed.length > 0 ? (
        <ul aria-label="Pushed tags">
          {pushed.map((p) => (
            <li key={p.tag}>
              <code>{p.tag}</code> <span className="muted">{p.digest}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
