import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseEnvironmentFile } from '../../../shared/environment/environment-file';
import { readRecipeFile } from '../recipe/recipe-file';
import { createProjectHandlers } from './handlers';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'condense-example-'));
});
afterEach(() => rm(home, { recursive: true, force: true }));

describe('project:createExample', () => {
  it('writes the example service into a new folder, opens it, and never overwrites', async () => {
    const handlers = createProjectHandlers({ configDir: join(home, '.config'), home });
    const first = await handlers['project:createExample']({});
    expect(first.dir).toBe(join(home, 'condense-example-service'));
    const env = parseEnvironmentFile(await readFile(join(first.dir, 'environment.yml'), 'utf8'));
    expect(env.spec.dependencies.map((d) => d.name)).toEqual(
      expect.arrayContaining(['python', 'fastapi', 'uvicorn', 'scikit-learn']),
    );
    const recipe = await readRecipeFile(first.dir);
    expect(recipe.issues).toEqual([]);
    expect(recipe.recipe.entrypoint).toMatchObject({ preset: 'module', module: 'uvicorn' });
    expect(await readFile(join(first.dir, 'app/main.py'), 'utf8')).toContain('FastAPI');
    expect((await handlers['project:recent']({})).map((r) => r.dir)).toEqual([first.dir]);
    // The folder is taken now: the next example goes next to it.
    expect((await handlers['project:createExample']({})).dir).toBe(`${first.dir}-2`);
    await expect(handlers['project:createExample']({ dir: first.dir })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });

  it('copies a given example folder instead of the built-in one', async () => {
    const source = join(home, 'seed');
    await mkdir(source);
    await writeFile(
      join(source, 'environment.yml'),
      'name: seed\ndependencies:\n  - python=3.12\n',
    );
    const handlers = createProjectHandlers({
      configDir: join(home, '.config'),
      home,
      exampleSource: source,
    });
    const info = await handlers['project:createExample']({ dir: join(home, 'try') });
    expect(await readFile(join(info.dir, 'environment.yml'), 'utf8')).toContain('name: seed');
  });
});
