import { useState } from 'react';

import { useApp } from '../../store';

/** The environment's channels in priority order: add, remove, move up and down. */
export function ChannelList({ channels }: { channels: string[] }) {
  const moveChannel = useApp((s) => s.moveChannel);
  const addChannel = useApp((s) => s.addChannel);
  const removeChannel = useApp((s) => s.removeChannel);
  const [draft, setDraft] = useState('');
  return (
    <>
      <h3>
        Channels <span className="muted heading-note">highest priority first</span>
      </h3>
      {channels.length === 0 ? (
        <p className="muted">
          No channels: add one (for example conda-forge) so packages can be found.
        </p>
      ) : null}
      <ol aria-label="Channels" className="channels">
        {channels.map((c, i) => (
          <li key={c}>
            <span className="channel-rank">{i + 1}</span>
            <code className="grow">{c}</code>
            <button
              type="button"
              aria-label={`Move ${c} up`}
              disabled={i === 0}
              onClick={() => void moveChannel(i, -1)}
            >
              ↑
            </button>
            <button
              type="button"
              aria-label={`Move ${c} down`}
              disabled={i === channels.length - 1}
              onClick={() => void moveChannel(i, 1)}
            >
              ↓
            </button>
            <button
              type="button"
              aria-label={`Remove channel ${c}`}
              onClick={() => void removeChannel(c)}
            >
              ✕
            </button>
          </li>
        ))}
      </ol>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (!draft.trim()) return;
          void addChannel(draft).then(() => setDraft(''));
        }}
      >
        <label className="grow">
          Channel name or URL
          <input
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="conda-forge"
          />
        </label>
        <button type="submit">Add channel</button>
      </form>
    </>
  );
}
