import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';

import { PRUNE_PRESETS } from './catalog';
import { generateDockerfile, targetStage } from './dockerfile';
import { generateDockerignore } from './dockerignore';
import type { PrunePresetId, Recipe } from './model';
import { defaultPrune, defaultRecipe } from './model';

/** The seed article's service: gunicorn with uvicorn workers, the user's package, port 8000. */
function seedRecipe(preset: PrunePresetId, buildkitCache: boolean): Recipe {
  return {
    ...defaultRecipe(),
    package: { path: '.', noBuildIsolation: true },
    entrypoint: { preset: 'gunicorn', app: 'nyc_taxi_fare.serve:app', bind: '0.0.0.0:8000' },
    port: 8000,
    labels: { 'org.opencontainers.image.title': 'nyc-taxi-fare' },
    buildkitCache,
    prune: defaultPrune(preset),
  };
}

function parse(text: string) {
  const dockerfile = DockerfileParser.parse(text);
  return {
    dockerfile,
    stages: dockerfile.getFROMs().map((from) => from.getBuildStage()),
    keywords: dockerfile.getInstructions().map((i) => i.getKeyword()),
    runs: dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getArgumentsContent() ?? ''),
  };
}

describe('generateDockerfile snapshots', () => {
  for (const preset of ['none', 'safe', 'expert'] as const) {
    for (const buildkit of [true, false]) {
      const name = `${preset}-${buildkit ? 'buildkit' : 'classic'}`;
      it(`matches the reviewed snapshot for ${name}`, async () => {
        const text = generateDockerfile(seedRecipe(preset, buildkit));
        await expect(text).toMatchFileSnapshot(`./__snapshots__/${name}.Dockerfile`);
      });
    }
  }

  it('matches the reviewed snapshot for three variants sharing one install', async () => {
    const recipe = {
      ...seedRecipe('safe', true),
      variants: (['none', 'safe', 'expert'] as const).map((p) => ({
        id: p,
        prune: defaultPrune(p),
      })),
    };
    await expect(generateDockerfile(recipe)).toMatchFileSnapshot(
      './__snapshots__/variants.Dockerfile',
    );
    await expect(generateDockerignore(recipe)).toMatchFileSnapshot(
      './__snapshots__/package-root.dockerignore',
    );
  });
});

describe('generateDockerfile structure', () => {
  it('has the seed shape: builder "conda", then a runtime copying only the prefix', () => {
    const { dockerfile, stages, keywords } = parse(generateDockerfile(seedRecipe('expert', true)));
    expect(stages).toEqual(['conda', targetStage()]);
    expect(keywords).toEqual([
      'FROM',
      'COPY',
      'RUN',
      'COPY',
      'RUN',
      'RUN',
      'FROM',
      'COPY',
      'ENV',
      'LABEL',
      'EXPOSE',
      'USER',
      'CMD',
    ]);
    const copies = dockerfile.getCOPYs();
    expect(copies[2]!.getFromFlag()?.getValue()).toBe('conda');
    expect(copies[2]!.getArgumentsContent()).toBe('/env /env');
    const cmd = dockerfile.getCMDs()[0]!;
    expect(cmd.getJSONStrings().map((s) => s.getJSONValue())).toEqual([
      '/env/bin/gunicorn',
      '-b',
      '0.0.0.0:8000',
      '-k',
      'uvicorn.workers.UvicornWorker',
      'nyc_taxi_fare.serve:app',
    ]);
  });

  it('prunes in the builder after pip install, never in the final stage', () => {
    const text = generateDockerfile(seedRecipe('expert', true));
    const { dockerfile } = parse(text);
    const instructions = dockerfile.getInstructions();
    const pip = instructions.findIndex((i) =>
      (i.getArgumentsContent() ?? '').includes('pip install'),
    );
    const prune = instructions.findIndex((i) => (i.getArgumentsContent() ?? '').includes('rm -rf'));
    const runtimeFrom = instructions.findIndex((i, n) => n > 0 && i.getKeyword() === 'FROM');
    expect(pip).toBeGreaterThan(0);
    expect(prune).toBeGreaterThan(pip);
    expect(runtimeFrom).toBeGreaterThan(prune);
  });

  it('avoids the article slips: find scoped to the prefix, no echo, all four sanitizers', () => {
    const text = generateDockerfile(seedRecipe('expert', true));
    const finds = text.match(/find [^\s]+/g) ?? [];
    expect(finds.length).toBeGreaterThan(2);
    for (const find of finds) expect(find).toBe('find /env');
    expect(text).not.toMatch(/echo/);
    for (const name of ['libasan', 'libtsan', 'liblsan', 'libubsan']) {
      expect(text).toContain(`rm -rf /env/lib/${name}.so*`);
    }
    expect(text).not.toMatch(/^# syntax=/m);
  });

  it('uses the cache mount with BuildKit and conda clean without it', () => {
    const withCache = parse(generateDockerfile(seedRecipe('none', true)));
    expect(withCache.runs[0]).toMatch(/^mamba create --copy -p \/env --file/);
    const flags = (
      withCache.dockerfile.getInstructions()[2] as unknown as {
        getFlags(): { getName(): string; getValue(): string | null }[];
      }
    ).getFlags();
    expect(flags.map((f) => [f.getName(), f.getValue()])).toEqual([
      ['mount', 'type=cache,target=/opt/conda/pkgs,sharing=locked'],
    ]);
    const classic = generateDockerfile(seedRecipe('none', false));
    expect(classic).not.toContain('--mount');
    expect(classic).toContain('&& conda clean -afy');
  });

  it('gives the same bytes for the same inputs', () => {
    const a = generateDockerfile(seedRecipe('safe', true));
    const b = generateDockerfile(structuredClone(seedRecipe('safe', true)));
    expect(b).toBe(a);
  });

  it('emits one prune and one runtime stage per variant over a shared builder', () => {
    const recipe = seedRecipe('none', true);
    const text = generateDockerfile(recipe, {
      variants: [
        { id: 'plain', prune: defaultPrune('none') },
        { id: 'small', prune: defaultPrune('expert') },
      ],
    });
    const { dockerfile, stages } = parse(text);
    expect(stages).toEqual([
      'conda',
      'prune-plain',
      'prune-small',
      'runtime-plain',
      'runtime-small',
    ]);
    const froms = dockerfile.getFROMs().map((f) => f.getImageName());
    expect(froms.slice(1, 3)).toEqual(['conda', 'conda']);
    expect(text.match(/mamba create/g)).toHaveLength(1);
    expect(text).toContain('COPY --from=prune-small /env /env');
    expect(targetStage('small')).toBe('runtime-small');
  });

  it('drops the package steps and the CMD when not asked for', () => {
    const text = generateDockerfile({ ...defaultRecipe(), prune: defaultPrune('none') });
    expect(text).not.toContain('pip install');
    expect(text).not.toMatch(/^CMD/m);
    expect(text).toContain('# No prune rules in this image.');
  });

  it('writes the --no-build-isolation flag only when the recipe asks', () => {
    const off = seedRecipe('none', true);
    off.package = { path: 'src/pkg', noBuildIsolation: false };
    expect(generateDockerfile(off)).toContain('pip install --no-deps --no-cache-dir /pkg');
    expect(generateDockerfile(off)).toContain('COPY src/pkg /pkg');
  });

  it('covers every preset rule in the expert file', () => {
    const text = generateDockerfile(seedRecipe('expert', true));
    for (const id of PRUNE_PRESETS.expert) expect(text).toContain(`#   ${id}: `);
  });

  it('adds a syntax line only when asked', () => {
    const text = generateDockerfile(seedRecipe('none', true), { syntax: 'docker/dockerfile:1.7' });
    expect(text.startsWith('# syntax=docker/dockerfile:1.7\n')).toBe(true);
  });
});

describe('environment.yml variables', () => {
  it('are set as runtime ENV, quoted, the recipe env winning on a shared name', () => {
    const recipe = { ...defaultRecipe(), env: { MPLBACKEND: 'svg' } };
    const text = generateDockerfile(recipe, {
      variables: { MPLBACKEND: 'Agg', OMP_NUM_THREADS: '1', GREETING: 'say "hi" $USER' },
    });
    const runtime = text.slice(text.lastIndexOf('FROM '));
    expect(runtime).toContain('ENV GREETING="say \\"hi\\" \\$USER" \\\n    OMP_NUM_THREADS="1"\n');
    expect(runtime).toContain('MPLBACKEND="svg"');
    expect(runtime).not.toContain('MPLBACKEND="Agg"');
    expect(text.slice(0, text.lastIndexOf('FROM '))).not.toContain('OMP_NUM_THREADS');
  });

  it('refuses names and values a Dockerfile cannot carry', () => {
    expect(() => generateDockerfile(defaultRecipe(), { variables: { 'A-B': '1' } })).toThrow(
      /variable "A-B" cannot be set in the image/,
    );
    expect(() => generateDockerfile(defaultRecipe(), { variables: { A: 'x\ny' } })).toThrow(
      /no control characters/,
    );
  });
});

describe('generateDockerignore', () => {
  it('sends only the lockfile and package folder when the package is a subfolder', () => {
    const recipe = { ...defaultRecipe(), package: { path: 'src/pkg', noBuildIsolation: true } };
    const lines = generateDockerignore(recipe).split('\n');
    expect(lines.indexOf('*')).toBeLessThan(lines.indexOf('!conda-linux-64.lock'));
    expect(lines).toContain('!src/pkg');
    expect(lines).toContain('.git');
  });
});
