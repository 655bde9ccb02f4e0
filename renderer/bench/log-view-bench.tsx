// Benchmark page (not part of the app build): the real store and Build screen, fed 10,000 log lines per
// second through an in-page ApiClient, while every animation frame's interval is recorded.
import '../src/styles.css';

import { createRoot } from 'react-dom/client';

import type { ApiClient } from '../../shared/api/contract';
import type { JobEvent } from '../../shared/api/jobs';
import { App } from '../src/App';
import { createAppStore, StoreContext } from '../src/store';

export interface LogBenchResult {
  lines: number;
  linesPerSecond: number;
  streamSeconds: number;
  frames: number;
  frameP50: number;
  frameP95: number;
  frameMax: number;
  /** Frames longer than 50 ms (a visible hitch). */
  longFrames: number;
  /** Log rows in the DOM at the end (virtualisation). */
  domRows: number;
  /** Lines the view says it holds at the end. */
  shownLines: string;
}

const params = new URLSearchParams(location.search);
const LINES = Number(params.get('lines') ?? 100_000);
const RATE = Number(params.get('rate') ?? 10_000);
const TICK_MS = 10;

const listeners = new Set<(event: JobEvent) => void>();
const api: ApiClient = {
  call: () => Promise.reject(new Error('no server in the benchmark page')),
  onJobEvent(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
const store = createAppStore({ api });
store.setState({ project: { dir: '/bench', name: 'bench', created: [] }, screen: 'build' });
store.getState().trackJob('bench', 'build');
store.setState({ buildJobId: 'bench' });

createRoot(document.getElementById('root')!).render(
  <StoreContext.Provider value={store}>
    <App />
  </StoreContext.Provider>,
);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

function run(): Promise<LogBenchResult> {
  return new Promise((resolve) => {
    const intervals: number[] = [];
    let last = performance.now();
    let streaming = true;
    const frame = (now: number) => {
      intervals.push(now - last);
      last = now;
      if (streaming) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    let seq = 0;
    const started = performance.now();
    const perTick = (RATE * TICK_MS) / 1000;
    const timer = setInterval(() => {
      // Keep the rate by wall clock: a late timer sends the lines it owes.
      const due = Math.min(
        LINES,
        Math.round(((performance.now() - started) / 1000) * RATE + perTick),
      );
      while (seq < due) {
        seq++;
        const event: JobEvent = {
          jobId: 'bench',
          job: 'build',
          seq,
          kind: 'log',
          data: {
            step: 'sha256:abc',
            time: '',
            stream: 'stdout',
            text: `#${seq} \u001b[32mok\u001b[0m compiling module_${seq % 97}.py (${seq % 13} warnings)`,
          },
        };
        for (const listener of listeners) listener(event);
      }
      if (seq >= LINES) {
        clearInterval(timer);
        const streamSeconds = (performance.now() - started) / 1000;
        // Two more frames so the last lines are painted before reading the DOM.
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            streaming = false;
            const sorted = [...intervals.slice(1)].sort((a, b) => a - b);
            resolve({
              lines: LINES,
              linesPerSecond: Math.round(LINES / streamSeconds),
              streamSeconds,
              frames: sorted.length,
              frameP50: percentile(sorted, 50),
              frameP95: percentile(sorted, 95),
              frameMax: sorted.at(-1) ?? 0,
              longFrames: sorted.filter((d) => d > 50).length,
              domRows: document.querySelectorAll('.log-line').length,
              shownLines: document.querySelector('.log-view [role="status"]')?.textContent ?? '',
            });
          }),
        );
      }
    }, TICK_MS);
  });
}

declare global {
  interface Window {
    runLogBench?: () => Promise<LogBenchResult>;
  }
}
window.runLogBench = run;
