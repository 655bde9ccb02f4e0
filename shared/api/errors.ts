/**
 * One error class with a stable code crosses every door (IPC, WebSocket, CLI). Electron only carries an
 * error's message, so errors travel as an envelope and are rebuilt on the other side.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'CHANNEL_UNREACHABLE'
  | 'UNSATISFIABLE'
  | 'PACKAGE_NOT_FOUND'
  | 'EXTERNAL_TOOL_FAILED'
  | 'ENGINE_UNAVAILABLE'
  | 'PERMISSION_DENIED'
  | 'IMAGE_MISSING'
  | 'BUILD_FAILED'
  /** A built image failed a check that guards its tags (CMD program, service check). */
  | 'CHECK_FAILED'
  | 'DISK_FULL'
  | 'UNAUTHORIZED'
  | 'REGISTRY_UNREACHABLE'
  | 'TLS_FAILED'
  | 'QUOTA_EXCEEDED'
  | 'INTERNAL';

export class CondenseError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CondenseError';
  }
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Normalises anything thrown (rattler throws plain strings) into an ErrorInfo. */
export function toErrorInfo(thrown: unknown): ErrorInfo {
  if (thrown instanceof CondenseError) {
    return {
      code: thrown.code,
      message: thrown.message,
      ...(thrown.details ? { details: thrown.details } : {}),
    };
  }
  if (thrown instanceof Error) {
    if (thrown.name === 'AbortError') return { code: 'CANCELLED', message: 'Cancelled.' };
    return { code: 'INTERNAL', message: thrown.message };
  }
  if (typeof thrown === 'string') return { code: 'INTERNAL', message: thrown };
  return { code: 'INTERNAL', message: 'Unknown error' };
}

export function fromErrorInfo(info: ErrorInfo): CondenseError {
  return new CondenseError(info.code, info.message, info.details);
}

export function isCondenseError(value: unknown, code?: ErrorCode): value is CondenseError {
  return value instanceof CondenseError && (code === undefined || value.code === code);
}
