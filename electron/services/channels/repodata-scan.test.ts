import { describe, expect, it } from 'vitest';

import type { RepodataIndex } from './repodata-index';
import { RepodataScan } from './repodata-scan';

/** Keys and strings that cross a cut anywhere: escapes, braces in text, spaces around colons. */
const RECORDS = Object.fromEntries(
  Array.from({ length: 40 }, (_, n) => [
    `pkg-${n % 7}-1.${n}-py311h${n}_0.${n % 3 ? 'conda' : 'tar.bz2'}`,
    {
      name: `pkg-${n % 7}`,
      version: `1.${n}`,
      depends: [`python >=3.11`, `dep-${n} {x}`],
      summary: `say \\"}{\\" ${'x'.repeat(n)} "quoted" \\\\`,
      nested: [{ deep: [n, '}]'] }],
    },
  ]),
);
const split = (suffix: string) =>
  Object.fromEntries(Object.entries(RECORDS).filter(([key]) => key.endsWith(suffix)));
const VALID = [
  JSON.stringify({
    info: { subdir: 'linux-64' },
    packages: split('.tar.bz2'),
    'packages.conda': split('.conda'),
    repodata_version: 1,
  }),
  // Pretty, with the info object last.
  JSON.stringify({ 'packages.conda': split('.conda'), info: { subdir: 'noarch' } }, null, 2),
  ' \n{ "packages" : { "a-1-0.tar.bz2" : { "x" : "\\\\" } } }\n',
];
const INVALID = [
  '<!DOCTYPE html><html><body>Sign in to continue to the channel mirror</body></html>',
  'null',
  '',
  '[1,2]',
  '{"info":{}}',
  '{"packages":[]}',
  '{"packages":{"a-1-0.tar.bz2":"x"}}',
  '{"packages":{}} trailing',
  '{"packages":{"a-1-0.tar.bz2":{"name":"a"]}}',
  VALID[0]!.slice(0, 1000),
  VALID[1]!.slice(0, VALID[1]!.indexOf('}') + 1),
];

const whole = (text: string) => new RepodataScan(true).finish(Buffer.from(text));

/** The scan fed the body as it would arrive, in pieces ending at `cuts`, then finished. */
function fed(text: string, cuts: number[]): string | RepodataIndex | undefined {
  const bytes = Buffer.from(text);
  const scan = new RepodataScan(true);
  for (const cut of cuts) scan.feed(bytes.subarray(0, cut));
  return scan.finish(bytes);
}

const shape = (result: string | RepodataIndex | undefined) =>
  typeof result === 'object'
    ? { records: result.records, info: result.info, byName: [...result.byName] }
    : result;

describe('RepodataScan fed as the download arrives', () => {
  it.each([...VALID, ...INVALID].map((text) => [text.slice(0, 40), text]))(
    'reaches the verdict and index of one pass wherever the data is cut (%j)',
    (_, text) => {
      const expected = shape(whole(text));
      const length = Buffer.byteLength(text);
      for (let cut = 0; cut <= length; cut++) {
        expect(shape(fed(text, [cut])), `cut at ${cut}`).toEqual(expected);
      }
    },
  );

  it('gives valid repodata an index of every record, fed one byte at a time or in random pieces', () => {
    const text = VALID[0]!;
    const expected = shape(whole(text));
    expect(typeof expected).toBe('object');
    expect((expected as { records: number }).records).toBe(40);
    const length = Buffer.byteLength(text);
    expect(
      shape(
        fed(
          text,
          Array.from({ length }, (_, i) => i + 1),
        ),
      ),
    ).toEqual(expected);
    for (let round = 0; round < 20; round++) {
      const cuts = Array.from({ length: 30 }, () => Math.floor(Math.random() * length)).sort(
        (a, b) => a - b,
      );
      expect(shape(fed(text, cuts)), `cuts ${cuts.join(',')}`).toEqual(expected);
    }
  });

  it('still finds a file cut short when every byte it had was fed', () => {
    const cut = VALID[0]!.slice(0, VALID[0]!.length - 3);
    const bytes = Buffer.from(cut);
    const scan = new RepodataScan(true);
    scan.feed(bytes);
    expect(scan.finish(bytes)).toMatch(/is cut off \(.*brackets left open\)/);
  });

  it('waits for the first bytes before judging how the file starts', () => {
    const page = Buffer.from(INVALID[0]!);
    const scan = new RepodataScan(false);
    scan.feed(page.subarray(0, 10));
    expect(scan.finish(page)).toMatch(/is an HTML page/);
  });
});
