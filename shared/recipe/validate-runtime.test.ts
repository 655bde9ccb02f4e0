import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';

import { defaultServiceCheck } from '../checks/model';
import { commandOf, generateDockerfile } from './dockerfile';
import { generateDockerignore } from './dockerignore';
import type { Recipe } from './model';
import { defaultPrune, defaultRecipe } from './model';
import { resolvePrune } from './prune-commands';
import { checkRecipe, validateRecipe } from './validate';

const issuesOf = (input: Record<string, unknown>) =>
  Object.fromEntries(checkRecipe(input).issues.map((i) => [i.field, i.message]));

describe('files:', () => {
  it('accepts project paths to absolute image paths, trailing slashes dropped', () => {
    const recipe = validateRecipe({
      files: [
        { from: 'model.pkl', to: '/app/model.pkl' },
        { from: 'config/', to: '/app/config/' },
      ],
    });
    expect(recipe.files).toEqual([
      { from: 'model.pkl', to: '/app/model.pkl' },
      { from: 'config', to: '/app/config' },
    ]);
  });

  it.each([
    [{ from: '../secrets', to: '/app/s' }, 'files[0].from', /inside the project/],
    [{ from: '/etc/passwd', to: '/app/p' }, 'files[0].from', /inside the project/],
    [{ from: 'a/../../b', to: '/app/b' }, 'files[0].from', /inside the project/],
    [{ from: 'model $(id)', to: '/app/m' }, 'files[0].from', /inside the project/],
    [{ from: 'm', to: 'app/m' }, 'files[0].to', /absolute path/],
    [{ from: 'm', to: '/app/../etc/m' }, 'files[0].to', /absolute path/],
    [{ from: 'm', to: '/etc/ssl/m' }, 'files[0].to', /system files/],
    [{ from: 'm', to: '/env/m' }, 'files[0].to', /overlaps the environment/],
    [{ from: 'm', to: '/app/m', mode: 1 }, 'files[0].mode', /unknown field/],
  ])('refuses %j', (entry, field, message) => {
    expect(issuesOf({ files: [entry] })[field]).toMatch(message);
  });

  it('refuses two entries with the same target', () => {
    expect(
      issuesOf({
        files: [
          { from: 'a', to: '/app/m' },
          { from: 'b', to: '/app/m' },
        ],
      })['files[1].to'],
    ).toMatch(/target of another entry/);
  });

  it('copies each entry into every runtime stage, owned by the runtime user, after the environment', () => {
    const recipe: Recipe = {
      ...defaultRecipe(),
      files: [
        { from: 'model.pkl', to: '/app/model.pkl' },
        { from: 'config', to: '/app/config' },
      ],
      variants: [
        { id: 'a', prune: defaultPrune('none') },
        { id: 'b', prune: defaultPrune('expert') },
      ],
    };
    const text = generateDockerfile(recipe);
    expect(DockerfileParser.parse(text).getInstructions().length).toBeGreaterThan(0);
    const copies = text.split('\n').map((l) => /^COPY (.*)$/.exec(l)?.[1]);
    expect(copies.filter((c) => c?.startsWith('--chown'))).toEqual([
      '--chown=65532:65532 model.pkl /app/model.pkl',
      '--chown=65532:65532 config /app/config',
      '--chown=65532:65532 model.pkl /app/model.pkl',
      '--chown=65532:65532 config /app/config',
    ]);
    // Right after the environment in each runtime stage.
    const lines = text.split('\n');
    const env = lines.indexOf('COPY --from=prune-b /env /env');
    expect(lines[env + 2]).toBe('COPY --chown=65532:65532 model.pkl /app/model.pkl');
    // Without a user, the image default (root) owns them.
    const rootless = generateDockerfile({ ...recipe, user: null, variants: [] });
    expect(rootless).toContain('\nCOPY model.pkl /app/model.pkl\n');
  });

  it('lets exactly the entries into the .dockerignore context', () => {
    const text = generateDockerignore({
      ...defaultRecipe(),
      package: { path: 'svc', noBuildIsolation: true },
      files: [{ from: 'models/model.pkl', to: '/app/model.pkl' }],
    });
    const lines = text.split('\n');
    expect(lines.slice(lines.indexOf('*'), lines.indexOf('*') + 4)).toEqual([
      '*',
      '!conda-linux-64.lock',
      '!svc',
      '!models/model.pkl',
    ]);
  });
});

describe('service:', () => {
  it('takes defaults for what is left out and needs a port', () => {
    expect(validateRecipe({ port: 8000, service: {} }).service).toEqual(defaultServiceCheck());
    expect(issuesOf({ service: {} }).service).toMatch(/needs a port/);
  });

  it('accepts a POST with a JSON body written as YAML or as text', () => {
    const fromMap = validateRecipe({
      port: 8000,
      service: { path: '/predict', method: 'post', body: { x: [1, 2] }, status: 201, expect: 'y' },
    }).service;
    expect(fromMap).toEqual({
      path: '/predict',
      method: 'POST',
      body: '{"x":[1,2]}',
      status: 201,
      expect: 'y',
      timeoutSeconds: 60,
    });
    expect(validateRecipe({ port: 1, service: { body: '{"a": 1}' } }).service?.body).toBe(
      '{"a": 1}',
    );
  });

  it.each([
    [{ path: 'health' }, 'service.path', /starting with \//],
    [{ path: '/a b' }, 'service.path', /starting with \//],
    [{ method: 'DELETE' }, 'service.method', /GET or POST/],
    [{ body: '{not json' }, 'service.body', /JSON text/],
    [{ status: 700 }, 'service.status', /100 to 599/],
    [{ timeoutSeconds: 0 }, 'service.timeoutSeconds', /1 to 3600/],
    [{ retries: 3 }, 'service.retries', /unknown field/],
  ])('refuses %j', (service, field, message) => {
    expect(issuesOf({ port: 8000, service })[field]).toMatch(message);
  });
});

describe('network:', () => {
  it('is the engine default unless the recipe says host or none', () => {
    expect(defaultRecipe().network).toBe('default');
    expect(validateRecipe({}).network).toBe('default');
    expect(validateRecipe({ network: 'host' }).network).toBe('host');
    expect(validateRecipe({ network: 'none' }).network).toBe('none');
    expect(issuesOf({ network: 'bridge' }).network).toMatch(/default, host or none/);
  });
});

describe('gunicorn binds the recipe port', () => {
  it('without a bind, binds 0.0.0.0:<port> (8000 without a port)', () => {
    const recipe = validateRecipe({
      port: 9001,
      entrypoint: { preset: 'gunicorn', app: 'nyc_taxi_fare.serve:app' },
    });
    expect(commandOf(recipe.entrypoint, recipe.prefix, recipe.port)?.slice(0, 3)).toEqual([
      '/env/bin/gunicorn',
      '-b',
      '0.0.0.0:9001',
    ]);
    expect(commandOf(recipe.entrypoint, recipe.prefix)?.[2]).toBe('0.0.0.0:8000');
    expect(generateDockerfile(recipe)).toContain('"-b", "0.0.0.0:9001"');
  });

  it('refuses a bind on another port than the recipe exposes', () => {
    expect(
      issuesOf({
        port: 9001,
        entrypoint: { preset: 'gunicorn', app: 'a:b', bind: '0.0.0.0:8000' },
      })['entrypoint.bind'],
    ).toMatch(/listens on 8000 but port is 9001/);
  });
});

describe('bytecode:', () => {
  const ids = (bytecode?: 'keep' | 'drop' | 'compile') =>
    resolvePrune({ ...defaultPrune('expert'), ...(bytecode ? { bytecode } : {}) }, 'linux-64').map(
      (r) => r.id,
    );

  it('keep switches the pycache rule off, drop and compile on, absent follows the preset', () => {
    expect(ids()).toContain('pycache');
    expect(ids('keep')).not.toContain('pycache');
    expect(ids('drop')).toContain('pycache');
    expect(resolvePrune({ ...defaultPrune('none'), bytecode: 'compile' }, 'linux-64')).toEqual([
      expect.objectContaining({ id: 'pycache' }),
    ]);
  });

  it('compile runs compileall with unchecked-hash pycs after the prune, in the variant stage', () => {
    const recipe = validateRecipe({
      variants: [
        { id: 'fast', prune: { preset: 'expert' }, bytecode: 'compile' },
        { id: 'small', prune: { preset: 'expert', bytecode: 'drop' } },
      ],
    });
    expect(recipe.variants.map((v) => v.prune.bytecode)).toEqual(['compile', 'drop']);
    const text = generateDockerfile(recipe);
    const stage = (id: string) => text.slice(text.indexOf(`AS prune-${id}`)).split('\nFROM ')[0]!;
    const fast = stage('fast');
    const compile = fast.indexOf('compileall');
    expect(compile).toBeGreaterThan(fast.indexOf('__pycache__'));
    expect(fast).toContain(
      '/env/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash /env/lib',
    );
    expect(stage('small')).not.toContain('compileall');
    expect(issuesOf({ prune: { bytecode: 'fast' } })['prune.bytecode']).toMatch(
      /keep, drop or compile/,
    );
  });
});
