import { describe, expect, it } from 'vitest';

import { generateDockerfile } from '../../../shared/recipe/dockerfile';
import { defaultRecipe, type Recipe } from '../../../shared/recipe/model';
import { exportReadme } from './export-readme';

const FILES = ['Dockerfile', '.dockerignore', 'conda-linux-64.lock'];

function buildLines(readme: string): string[] {
  return readme.split('\n').filter((l) => l.startsWith('DOCKER_BUILDKIT=1 docker build'));
}

describe('export README', () => {
  it('builds a single image with a plain docker build', () => {
    const readme = exportReadme(defaultRecipe(), 'Fare Model', FILES);
    expect(buildLines(readme)).toEqual(['DOCKER_BUILDKIT=1 docker build -t fare-model .']);
    expect(readme).toContain('docker run --rm fare-model <command>');
    expect(readme).not.toContain('### Variant');
  });

  it('gives each variant its --target, which the generated Dockerfile has, and its own prune table', () => {
    const recipe: Recipe = {
      ...defaultRecipe(),
      variants: [
        { id: 'safe', prune: { preset: 'safe', add: [], remove: [], custom: [] } },
        { id: 'expert', prune: { preset: 'expert', add: [], remove: [], custom: [] } },
      ],
    };
    const readme = exportReadme(recipe, 'svc', FILES);
    expect(buildLines(readme)).toEqual([
      'DOCKER_BUILDKIT=1 docker build --target runtime-safe -t svc:safe .',
      'DOCKER_BUILDKIT=1 docker build --target runtime-expert -t svc:expert .',
    ]);
    const dockerfile = generateDockerfile(recipe);
    for (const target of ['runtime-safe', 'runtime-expert']) {
      expect(dockerfile).toMatch(new RegExp(`^FROM .* AS ${target}$`, 'm'));
    }
    const [, safe, expert] = readme.split(/^### Variant /m);
    expect(safe).toMatch(/^`safe`/);
    expect(expert).toMatch(/^`expert`/);
    // expert prunes what safe prunes and more (libpython, __pycache__...).
    const rows = (section: string) => section.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows(expert!).length).toBeGreaterThan(rows(safe!).length);
    expect(expert).toContain('`libpython`');
    expect(safe).not.toContain('`libpython`');
  });

  it('says what the SBOM and CI files do and which settings they read, when the export has them', () => {
    expect(exportReadme(defaultRecipe(), 'svc', FILES)).not.toContain('## Delivery');
    const readme = exportReadme(defaultRecipe(), 'svc', [
      ...FILES,
      'sbom.spdx.json',
      '.github/workflows/condense-image.yml',
      '.gitlab-ci.yml',
    ]);
    expect(readme).toContain('## Delivery');
    expect(readme).toContain('SPDX 2.3');
    expect(readme).toMatch(/`REGISTRY`.*`REGISTRY_USER`/s);
    expect(readme).toContain('`REGISTRY_PASSWORD`');
  });
});
