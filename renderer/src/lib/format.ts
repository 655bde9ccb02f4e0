import { isCondenseError } from '../../../shared/api/errors';

// Sizes: `shared/format/size.ts` (formatSize, and formatSizeColumn for numbers side by side).

/** What the user should do next, by error code; the service's message says what went wrong. */
const NEXT_STEP: Partial<Record<string, string>> = {
  ENGINE_UNAVAILABLE: 'Start Docker (or set DOCKER_HOST) and try again.',
  CHANNEL_UNREACHABLE: 'Check the channel URL and your network, then retry.',
  UNSATISFIABLE: 'Loosen or remove a pin on the Environment screen, then lock again.',
  PACKAGE_NOT_FOUND: 'Check the package name or add the channel that provides it.',
  IMAGE_MISSING: 'Load or build the base image locally, or pick another one on the Image screen.',
  BUILD_FAILED: 'Read the log for the failing step; disable risky prune rules and rebuild.',
  DISK_FULL: 'Free disk space (docker image prune) and retry.',
  NOT_FOUND: 'Check the path or pick another folder.',
  ALREADY_EXISTS: 'Open the existing project instead, or choose an empty folder.',
  INVALID_INPUT: 'Correct the highlighted value and retry.',
  PERMISSION_DENIED: 'Choose a folder you can write to.',
  UNAUTHORIZED: 'Reopen the URL printed by `condense serve` (it carries the token).',
  TIMEOUT: 'Retry; if it keeps timing out, check the network and the engine.',
};

// Most service messages already say what to do ("check the URL", "load it with docker load"); the
// UI's hint is added only to messages that do not.
const ACTIONABLE =
  /\b(check|try|retry|run|open|pick|choose|load|add|remove|start|set|use|type|free|loosen|install|relock|rebuild)\b/i;

/** A user-facing message for anything thrown by an API call. */
export function describeError(error: unknown): string {
  if (isCondenseError(error)) {
    if (error.code === 'CANCELLED') return 'Cancelled.';
    const next = NEXT_STEP[error.code];
    return next && !ACTIONABLE.test(error.message) ? `${error.message} ${next}` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
