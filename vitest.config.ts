import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Three projects: pure/Node tests, renderer components in jsdom, end-to-end in Chromium.
// Real-engine tests (Docker builds) are slow on 2 cores, hence the long timeouts. expect.poll gives up
// after 1 s by default, too soon on a busy machine; a poll that succeeds returns at once anyway.
const expect = { poll: { timeout: 30_000, interval: 50 } };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          expect,
          environment: 'node',
          include: [
            'shared/**/*.test.ts',
            'electron/**/*.test.ts',
            'test/**/*.test.ts',
            'fixtures/**/*.test.ts',
          ],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Its ESM imports JSON without an import attribute, which Node 20 refuses: let Vite load it.
          server: { deps: { inline: ['@actions/workflow-parser'] } },
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'web',
          expect,
          environment: 'jsdom',
          include: ['renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
          setupFiles: ['renderer/test-setup.ts'],
          // vitest's 5 s default failed jsdom tests on a loaded 2-core CI machine; no test relies on speed.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          expect,
          environment: 'node',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
