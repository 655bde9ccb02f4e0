import type { ReactNode } from 'react';

/** An error in words: what went wrong and what to do next (the store composes the message). */
export function ErrorNote({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div role="alert" className="error-note">
      {message}
    </div>
  );
}

/** What an empty screen shows: why it is empty and the next step. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h3>{title}</h3>
      {children}
    </div>
  );
}
