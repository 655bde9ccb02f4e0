import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { CondenseError } from '../../../shared/api/errors';
import type { RecipeState } from '../../../shared/api/recipe';
import type { Recipe } from '../../../shared/recipe/model';
import { createAppStore } from '../store';
import { createFakeApi } from '../test-support/fake-api';
import { projectHandlers } from '../test-support/project-fixture';
import { goTo, openProject, renderApp } from '../test-support/render-app';

afterEach(cleanup);

const HAND_IMAGE = 'registry.local/runtime:edited-by-hand';

/** condense.yml as the service sees it: a revision bumped by every write, saves checked against it. */
function disk() {
  const file = { recipe: projectHandlers()['recipe:get']!({ projectDir: '/' }) as RecipeState };
  let revision = 1;
  const state = (): RecipeState => ({
    ...structuredClone(file.recipe),
    revision: `rev-${revision}`,
  });
  return {
    get recipe(): Recipe {
      return file.recipe.recipe;
    },
    /** The user edits the file in their editor while the app is open. */
    editByHand(patch: Partial<Recipe>) {
      file.recipe = { ...file.recipe, recipe: { ...file.recipe.recipe, ...patch } };
      revision += 1;
    },
    handlers: {
      'recipe:get': state,
      'recipe:save': ({ recipe, baseRevision }: { recipe: Recipe; baseRevision: string }) => {
        if (baseRevision !== `rev-${revision}`) {
          throw new CondenseError(
            'CONFLICT',
            'condense.yml changed on disk since Condense read it: it was edited, e.g. by hand. Nothing was written.',
            { revision: `rev-${revision}` },
          );
        }
        file.recipe = { ...file.recipe, recipe };
        revision += 1;
        return state();
      },
    },
  };
}

/** The app on the Image screen of a project whose condense.yml the test can edit "by hand". */
async function openImageScreen() {
  const file = disk();
  const { fake, user } = renderApp(file.handlers);
  await openProject(user);
  await goTo(user, /Image/);
  const pip = () => screen.getByRole('switch', { name: /^pip \(/ });
  return { file, fake, user, pip };
}

const checked = (el: HTMLElement) => (el as HTMLInputElement).checked;

/** Edits condense.yml by hand, then toggles pip in the app: the save must be refused. */
async function conflictOnToggle() {
  const opened = await openImageScreen();
  const { file, user, pip } = opened;
  const pipBefore = checked(pip());
  const pruneBefore = structuredClone(file.recipe.prune);
  file.editByHand({ runtimeImage: HAND_IMAGE });
  await user.click(pip());
  const alert = await screen.findByRole('alert', { name: 'condense.yml changed on disk' });
  expect(alert).toHaveTextContent(/^condense.yml changed on disk since Condense read it: /);
  // Nothing the user wrote was overwritten: the hand edit is still on "disk", the toggle is not.
  expect(file.recipe.runtimeImage).toBe(HAND_IMAGE);
  expect(file.recipe.prune).toEqual(pruneBefore);
  expect(checked(pip())).toBe(!pipBefore);
  return { ...opened, alert, pipBefore, pruneBefore };
}

describe('Image screen: condense.yml edited by hand while the app is open', () => {
  it('"Reload from disk" drops the unsaved change and shows the file', async () => {
    const { alert, user, pip, file, fake, pipBefore, pruneBefore } = await conflictOnToggle();
    const saves = fake.callsOf('recipe:save').length;
    await user.click(within(alert).getByRole('button', { name: 'Reload from disk' }));
    expect(screen.queryByRole('alert', { name: 'condense.yml changed on disk' })).toBeNull();
    expect(screen.getByRole('textbox', { name: 'Runtime image' })).toHaveValue(HAND_IMAGE);
    expect(checked(pip())).toBe(pipBefore);
    expect(fake.callsOf('recipe:save')).toHaveLength(saves);
    expect(file.recipe.prune).toEqual(pruneBefore);
    // The next change is based on the reloaded revision, so it is saved on top of the hand edit.
    await user.click(pip());
    await expect.poll(() => fake.callsOf('recipe:save').length).toBe(saves + 1);
    expect(file.recipe.prune).not.toEqual(pruneBefore);
    expect(file.recipe.runtimeImage).toBe(HAND_IMAGE);
    expect(screen.queryByRole('alert', { name: 'condense.yml changed on disk' })).toBeNull();
  });

  it('"Keep my change" saves the app\'s recipe over the file, based on the new revision', async () => {
    const { alert, user, pip, file, fake, pipBefore, pruneBefore } = await conflictOnToggle();
    await user.click(within(alert).getByRole('button', { name: 'Keep my change' }));
    await expect.poll(() => file.recipe.runtimeImage).not.toBe(HAND_IMAGE);
    expect(file.recipe.prune).not.toEqual(pruneBefore);
    expect(screen.queryByRole('alert', { name: 'condense.yml changed on disk' })).toBeNull();
    // The app's values replace the hand edit, because the user said so.
    expect(file.recipe.runtimeImage).not.toBe(HAND_IMAGE);
    const last = fake.callsOf('recipe:save').at(-1) as { baseRevision: string };
    const refused = fake.callsOf('recipe:save').at(-2) as { baseRevision: string };
    expect(last.baseRevision).not.toBe(refused.baseRevision);
    expect(checked(pip())).toBe(!pipBefore);
  });
});

describe('recipe store: saves in a row', () => {
  it('bases each quick change on the revision the previous save answered with', async () => {
    const file = disk();
    const fake = createFakeApi({ ...projectHandlers(), ...file.handlers });
    const store = createAppStore({ api: fake.api, schedule: (flush) => flush() });
    await store.getState().openProject('/home/me/churn');
    // Three clicks before any answer: none of them may look like a hand edit to the service.
    await Promise.all([
      store.getState().updateRecipe({ port: 9001 }),
      store.getState().updateRecipe({ user: 'app' }),
      store.getState().toggleRule('pip'),
    ]);
    expect(store.getState().recipeConflict).toBeUndefined();
    expect(store.getState().recipeError).toBeUndefined();
    expect(file.recipe).toMatchObject({ port: 9001, user: 'app' });
    expect(file.recipe).toEqual(store.getState().recipe);
  });
});
