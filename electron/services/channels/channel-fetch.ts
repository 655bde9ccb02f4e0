import { CondenseError } from '../../../shared/api/errors';
import { redact } from '../../../shared/format/redact';
import { formatSize } from '../../../shared/format/size';
import { deadline, envSeconds } from '../wait/deadline';
import { authorized } from './channel-url';

/** How long a channel may stay silent (until headers, and between body bytes); `$CONDENSE_CHANNEL_TIMEOUT` s. */
export const channelTimeoutMs = () => envSeconds('CONDENSE_CHANNEL_TIMEOUT', 25_000);
/** How long one download may take in all (a server trickling bytes); `$CONDENSE_CHANNEL_TOTAL_TIMEOUT` s. */
export const channelTotalMs = () => envSeconds('CONDENSE_CHANNEL_TOTAL_TIMEOUT', 15 * 60_000);

export interface ChannelGetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Silence allowed before headers and between chunks; default {@link channelTimeoutMs}. */
  timeoutMs?: number;
  /** Whole download; default {@link channelTotalMs}. */
  totalMs?: number;
  /** Largest body accepted; a larger one is refused before it fills memory. */
  maxBytes?: number;
  /** What the messages call the other side, e.g. `channel http://host:port`. */
  what: string;
  /**
   * Sees each body chunk of a 2xx answer as it arrives (decoded), e.g. to write it to disk meanwhile;
   * `sofar` is the body up to and with it, when the body is gathered in one buffer (its size known).
   */
  onBody?: (chunk: Uint8Array, sofar?: Buffer) => void;
}

export interface ChannelAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  body: Buffer;
}

/** `host:port` of a URL, with the scheme's default port spelled out. */
export function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return redact(url);
  }
}

/**
 * GET with deadlines on every wait: until the headers, between body chunks (idle) and for the whole
 * download (a trickle), with a byte cap, honouring `signal`. The body is checked against
 * Content-Length when the server did not compress it. Every failure is one CondenseError naming
 * `what`, host and port.
 */
export async function channelGet(url: string, options: ChannelGetOptions): Promise<ChannelAnswer> {
  const { target, headers } = authorized(url);
  const idleMs = options.timeoutMs ?? channelTimeoutMs();
  const idle = deadline(idleMs, options.signal);
  const total = deadline(options.totalMs ?? channelTotalMs(), idle.signal);
  const where = `${options.what} (${hostPort(url)}, ${redact(url)})`;
  const fail = (reason: string, code: 'CHANNEL_UNREACHABLE' | 'TIMEOUT' = 'CHANNEL_UNREACHABLE') =>
    new CondenseError(code, `${where}: ${reason}`, { url: redact(url), reason });
  const ended = () => {
    if (idle.expired)
      return fail(
        `no answer within ${seconds(idleMs)} (raise CONDENSE_CHANNEL_TIMEOUT, or check the URL and network)`,
        'TIMEOUT',
      );
    if (total.expired)
      return fail(
        `the download did not finish within ${seconds(options.totalMs ?? channelTotalMs())} (the server sends too slowly; CONDENSE_CHANNEL_TOTAL_TIMEOUT)`,
        'TIMEOUT',
      );
    return new CondenseError('CANCELLED', 'Cancelled.');
  };
  let received = 0;
  try {
    let response: Response;
    try {
      response = await fetch(target, {
        headers: { ...headers, ...options.headers },
        signal: total.signal,
      });
    } catch (error) {
      if (total.signal.aborted) throw ended();
      throw fail(`cannot connect (${networkReason(error)})`);
    }
    idle.touch();
    const announced = Number(response.headers.get('content-length') ?? NaN);
    const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
    const limit = options.maxBytes ?? Infinity;
    if (!encoded && announced > limit) {
      await response.body?.cancel().catch(() => undefined);
      throw fail(tooLarge(`it announces ${formatSize(announced)}`, limit));
    }
    const chunks: Uint8Array[] = [];
    // A body of announced size is copied into one buffer as it arrives: no second copy at the end
    // (conda-forge's 240 MB would otherwise be held twice) and no chunk list for the GC to trace.
    const whole =
      !encoded && Number.isFinite(announced) && announced > 0 && announced <= limit
        ? Buffer.allocUnsafe(announced)
        : undefined;
    if (response.body) {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          idle.touch();
          received += value.byteLength;
          if (received > limit) {
            await reader.cancel().catch(() => undefined);
            throw fail(tooLarge(`${formatSize(received)} so far`, limit));
          }
          if (whole && received <= whole.length) {
            whole.set(value, received - value.byteLength);
            // The copy is handed on, so the network's chunk can go at once.
            if (response.ok)
              options.onBody?.(
                whole.subarray(received - value.byteLength, received),
                whole.subarray(0, received),
              );
          } else {
            chunks.push(value);
            if (response.ok) options.onBody?.(value);
          }
        }
      } catch (error) {
        if (total.signal.aborted) throw ended();
        if (error instanceof CondenseError) throw error;
        const reason = networkReason(error);
        if (/incorrect header check|invalid|unexpected end of file|Z_/i.test(reason))
          throw fail(`the gzip-compressed body is corrupt (${reason})`);
        throw fail(
          `the connection closed after ${formatSize(received)}${Number.isFinite(announced) ? ` of ${formatSize(announced)} announced` : ''} (${reason})`,
        );
      }
    }
    const body =
      whole && chunks.length === 0
        ? whole.subarray(0, received)
        : Buffer.concat(
            whole ? [whole.subarray(0, received - chunksLength(chunks)), ...chunks] : chunks,
          );
    if (!encoded && Number.isFinite(announced) && body.length !== announced && response.ok) {
      throw fail(`the body has ${body.length} bytes but Content-Length said ${announced}`);
    }
    return { status: response.status, ok: response.ok, headers: response.headers, body };
  } finally {
    total.dispose();
    idle.dispose();
  }
}

function chunksLength(chunks: Uint8Array[]): number {
  return chunks.reduce((sum, c) => sum + c.byteLength, 0);
}

function tooLarge(size: string, limit: number): string {
  return `the file is larger than the ${formatSize(limit)} limit (${size}; raise CONDENSE_REPODATA_MAX_BYTES)`;
}

/** undici hides the reason in `cause` (`ECONNREFUSED`, `UND_ERR_SOCKET`, a zlib error). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const text = cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
  return redact(String(text));
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
