import { describe, expect, it } from 'vitest';

import type { BuildLogLine, BuildStep } from '../api/build';
import { decodeStatusResponse, encodeStatusResponse } from './buildkit-status';
import { BuildProgressDecoder } from './progress-decoder';

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const trace = (status: Parameters<typeof encodeStatusResponse>[0]) => ({
  id: 'moby.buildkit.trace',
  aux: b64(encodeStatusResponse(status)),
});

function collect() {
  const steps: BuildStep[] = [];
  const logs: BuildLogLine[] = [];
  const decoder = new BuildProgressDecoder({
    variant: 'slim',
    onStep: (s) => steps.push(s),
    onLog: (l) => logs.push(l),
    now: () => Date.UTC(2026, 0, 1),
  });
  return { decoder, steps, logs };
}

describe('decodeStatusResponse', () => {
  it('round-trips vertexes and logs, including multi-byte lengths and UTF-8', () => {
    const long = 'x'.repeat(300) + ' é ✓';
    const bytes = encodeStatusResponse({
      vertexes: [
        {
          digest: 'sha256:a',
          name: '[1/2] RUN make',
          inputs: ['sha256:0'],
          started: 1_700_000_000_123,
        },
      ],
      logs: [{ vertex: 'sha256:a', time: 1_700_000_001_000, stream: 2, text: long }],
    });
    const status = decodeStatusResponse(bytes);
    expect(status.vertexes).toEqual([
      {
        digest: 'sha256:a',
        inputs: ['sha256:0'],
        name: '[1/2] RUN make',
        cached: false,
        started: 1_700_000_000_123,
      },
    ]);
    expect(status.logs[0]!.stream).toBe(2);
    expect(new TextDecoder().decode(status.logs[0]!.data)).toBe(long);
  });

  it('skips fields it does not know (statuses) and rejects truncated input', () => {
    // field 2 (statuses), length 3, then a vertex.
    const vertex = encodeStatusResponse({ vertexes: [{ digest: 'd', name: 'n' }] });
    const bytes = Uint8Array.from([0x12, 3, 1, 2, 3, ...vertex]);
    expect(decodeStatusResponse(bytes).vertexes[0]!.digest).toBe('d');
    expect(() => decodeStatusResponse(vertex.subarray(0, vertex.length - 1))).toThrow(/truncated/);
  });
});

describe('BuildProgressDecoder (BuildKit)', () => {
  it('merges vertex updates into steps and joins log lines split across messages', () => {
    const { decoder, steps, logs } = collect();
    decoder.push(
      trace({ vertexes: [{ digest: 'v1', name: '[base 2/3] RUN pip install .', started: 1000 }] }),
    );
    decoder.push(trace({ logs: [{ vertex: 'v1', time: 1100, text: 'Collecting fo' }] }));
    decoder.push(
      trace({
        logs: [{ vertex: 'v1', time: 1200, text: 'o\nDownloading 10%\rDownloading 100%\nDone' }],
      }),
    );
    // A repeated identical update is not a new event.
    decoder.push(
      trace({ vertexes: [{ digest: 'v1', name: '[base 2/3] RUN pip install .', started: 1000 }] }),
    );
    decoder.push(
      trace({
        vertexes: [
          { digest: 'v1', name: '[base 2/3] RUN pip install .', started: 1000, completed: 2500 },
        ],
      }),
    );
    decoder.push(
      trace({
        vertexes: [
          {
            digest: 'v2',
            name: '[base 3/3] COPY . /pkg',
            cached: true,
            started: 2600,
            completed: 2600,
          },
        ],
      }),
    );
    decoder.push({ id: 'moby.image.id', aux: { ID: 'sha256:img' } });
    const result = decoder.finish();
    expect(steps.map((s) => [s.id, s.completed !== undefined, s.cached])).toEqual([
      ['v1', false, false],
      ['v1', true, false],
      ['v2', true, true],
    ]);
    expect(steps[1]).toMatchObject({
      variant: 'slim',
      started: new Date(1000).toISOString(),
      completed: new Date(2500).toISOString(),
    });
    expect(logs.map((l) => l.text)).toEqual(['Collecting foo', 'Downloading 100%', 'Done']);
    expect(logs[0]).toMatchObject({ step: 'v1', stream: 'stdout', variant: 'slim' });
    expect(result).toMatchObject({ imageId: 'sha256:img', cachedSteps: 1, totalSteps: 2 });
    expect(result.error).toBeUndefined();
  });

  it('reports the error event and the failing step with its last lines, not the cancelled ones', () => {
    const { decoder } = collect();
    decoder.push(
      trace({
        vertexes: [
          { digest: 'ok', name: '[a 1/1] RUN sleep 9', started: 1, error: 'context canceled' },
        ],
      }),
    );
    decoder.push(trace({ vertexes: [{ digest: 'bad', name: '[b 2/2] RUN make', started: 1 }] }));
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\n';
    decoder.push(trace({ logs: [{ vertex: 'bad', time: 2, text: lines }] }));
    decoder.push(
      trace({
        vertexes: [
          {
            digest: 'bad',
            name: '[b 2/2] RUN make',
            started: 1,
            completed: 3,
            error: 'exit code: 2',
          },
        ],
      }),
    );
    decoder.push({
      errorDetail: { message: 'executor failed running [/bin/sh -c make]: exit code: 2' },
      error: 'x',
    });
    const result = decoder.finish();
    expect(result.error).toMatch(/exit code: 2/);
    expect(result.imageId).toBeUndefined();
    expect(result.failedStep!.step.name).toBe('[b 2/2] RUN make');
    expect(result.failedStep!.lastLines).toHaveLength(30);
    expect(result.failedStep!.lastLines.at(-1)).toBe('line 39');
  });
});

describe('BuildProgressDecoder (classic builder)', () => {
  it('turns Step N/M lines into steps, cache hits and log lines', () => {
    const { decoder, steps, logs } = collect();
    for (const stream of [
      'Step 1/3 : FROM base\n',
      ' ---> 1234\n',
      'Step 2/3 : RUN echo hi\n ---> Using cache\n ---> 5678\n',
      'Step 3/3 : RUN make\n',
      ' ---> Running in abc\n',
      'compiling\nfailed here\n',
    ]) {
      decoder.push({ stream });
    }
    decoder.push({
      errorDetail: { message: "The command '/bin/sh -c make' returned a non-zero code: 2" },
    });
    const result = decoder.finish();
    expect(steps.filter((s) => s.completed).map((s) => [s.name, s.cached])).toEqual([
      ['[1/3] FROM base', false],
      ['[2/3] RUN echo hi', true],
      ['[3/3] RUN make', false],
    ]);
    expect(logs.map((l) => [l.step, l.text])).toEqual([
      ['step-3', 'compiling'],
      ['step-3', 'failed here'],
    ]);
    expect(result.failedStep).toMatchObject({
      step: { id: 'step-3' },
      lastLines: ['compiling', 'failed here'],
    });
    expect(result).toMatchObject({ cachedSteps: 1, totalSteps: 2 });
  });

  it('takes the image id from {aux: {ID}}', () => {
    const { decoder } = collect();
    decoder.push({ stream: 'Step 1/1 : FROM x\n' });
    decoder.push({ aux: { ID: 'sha256:classic' } });
    expect(decoder.finish().imageId).toBe('sha256:classic');
  });
});
