import { useLayoutEffect, useMemo, useRef, useState } from 'react';

import { parseAnsi } from '../lib/ansi';
import type { LogBuffer } from '../store/log-buffer';

const ROW = 18;
const OVERSCAN = 20;
// jsdom has no layout; a real window always reports a height.
const FALLBACK_HEIGHT = 400;

interface Props {
  buffer?: LogBuffer;
  /** Changes whenever lines were appended (once per frame at most). */
  tick: number;
  label: string;
  /** Shown while the buffer is empty; the default suits a log that has not started. */
  emptyText?: string;
}

function Line({ text, match }: { text: string; match: boolean }) {
  const spans = useMemo(() => parseAnsi(text), [text]);
  return (
    <div className={match ? 'log-line log-match' : 'log-line'}>
      {spans.map((s, i) => (
        <span
          key={i}
          className={
            [s.fg ? `ansi-${s.fg}` : '', s.bold ? 'ansi-bold' : ''].join(' ').trim() || undefined
          }
        >
          {s.text}
        </span>
      ))}
      {spans.length === 0 ? '\u00a0' : null}
    </div>
  );
}

/**
 * A virtualised log: only the visible rows exist in the DOM, so 100,000 lines cost the same as 50.
 * It follows the tail until the user scrolls up, and follows again at the bottom.
 */
export function LogView({ buffer, tick, label, emptyText }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(FALLBACK_HEIGHT);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(0);
  const [copied, setCopied] = useState('');
  const total = buffer?.length ?? 0;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setHeight(element.clientHeight || FALLBACK_HEIGHT);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // tick is the signal that the buffer grew; the buffer object itself is stable.
  const matches = useMemo(
    () => (buffer && query ? buffer.search(query) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [buffer, query, tick],
  );

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!follow || !element) return;
    const bottom = Math.max(0, total * ROW - height);
    element.scrollTop = bottom;
    setScrollTop(bottom);
  }, [follow, total, height, tick]);

  const scrollToLine = (line: number) => {
    const element = scroller.current;
    setFollow(false);
    const top = Math.max(0, line * ROW - height / 2);
    if (element) element.scrollTop = top;
    setScrollTop(top);
  };
  const step = (delta: number) => {
    if (matches.length === 0) return;
    const next = (current + delta + matches.length) % matches.length;
    setCurrent(next);
    scrollToLine(matches[next] ?? 0);
  };
  const copy = async () => {
    if (!buffer) return;
    const text = query ? matches.map((i) => buffer.line(i)).join('\n') : buffer.text();
    try {
      await navigator.clipboard.writeText(text);
      setCopied(query ? `Copied ${matches.length} matching lines.` : `Copied ${total} lines.`);
    } catch {
      setCopied('The clipboard refused the copy: select the text and press Ctrl+C instead.');
    }
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  const matchSet = new Set(matches);
  const rows = buffer ? buffer.slice(first, last) : [];

  return (
    <div className="log-view">
      <div className="toolbar">
        <input
          type="search"
          aria-label="Search the log"
          placeholder="Search the log"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setCurrent(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') step(e.shiftKey ? -1 : 1);
          }}
        />
        <span role="status" className="muted">
          {query
            ? matches.length
              ? `${current + 1} of ${matches.length} matches`
              : 'No matches'
            : `${total} lines`}
        </span>
        <button type="button" onClick={() => step(-1)} disabled={matches.length === 0}>
          Previous match
        </button>
        <button type="button" onClick={() => step(1)} disabled={matches.length === 0}>
          Next match
        </button>
        <button type="button" onClick={() => void copy()} disabled={total === 0}>
          Copy log
        </button>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        {copied ? <span className="muted">{copied}</span> : null}
      </div>
      <div
        ref={scroller}
        className="log-scroller"
        role="log"
        aria-label={label}
        tabIndex={0}
        onScroll={(e) => {
          const element = e.currentTarget;
          setScrollTop(element.scrollTop);
          // Scrolling up stops following; reaching the bottom resumes it.
          const atBottom = element.scrollTop + element.clientHeight >= element.scrollHeight - ROW;
          if (atBottom !== follow) setFollow(atBottom);
        }}
      >
        {total === 0 ? (
          <p className="muted log-empty">
            {emptyText ?? 'No output yet. Start a build to see its log here.'}
          </p>
        ) : (
          <div style={{ height: total * ROW, position: 'relative' }}>
            <div style={{ transform: `translateY(${first * ROW}px)` }}>
              {rows.map((text, i) => (
                <Line key={first + i} text={text} match={matchSet.has(first + i)} />
              ))}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

/** For tests and the benchmark: rows of this height. */
export const LOG_ROW_HEIGHT = ROW;
