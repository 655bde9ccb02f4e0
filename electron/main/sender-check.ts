/** The app's own origin inside Electron: the UI is served from `app://condense/`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'condense';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** What the check needs of `event.senderFrame` (Electron's WebFrameMain), so it can be tested alone. */
export interface SenderFrame {
  url: string;
  /** True when the frame is its page's top frame (`frame.parent === null`). */
  isMainFrame: boolean;
}

/**
 * Electron's security checklist, item 17: every IPC message must come from our own page's main frame.
 * An iframe (even a same-origin one), a page that navigated elsewhere, or a destroyed frame (null) is
 * refused. The origin comparison parses the URL, so `app://condense.evil/` or
 * `app://condense@evil/` cannot pass as ours.
 */
export function isTrustedSender(
  frame: SenderFrame | null | undefined,
  origin = APP_ORIGIN,
): boolean {
  if (!frame || !frame.isMainFrame || typeof frame.url !== 'string') return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  // Not url.origin: WHATWG URL gives custom schemes an opaque origin ("null") outside Chromium.
  return `${url.protocol}//${url.host}` === origin && url.username === '' && url.password === '';
}

/** Accepts only what a renderer may send as a request: nothing, or a plain JSON-like object. */
export function isPlainRequest(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
