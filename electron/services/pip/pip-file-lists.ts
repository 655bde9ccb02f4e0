import type { LockedPackage } from '../../../shared/conda/lock-model';
import { parsePipSection } from '../../../shared/pip/requirement';
import type { Recipe } from '../../../shared/recipe/model';
import { readEnvironment } from '../lock/lock-files';
import { pipIndexes } from './credentials';
import { sectionWithRecipe } from './lock-pip';
import { wheelFileList } from './wheel-files';

/** File lists of the locked pip wheels (RECORD sizes), for the savings estimate and the smoke test. */
export async function pipFileLists(
  projectDir: string,
  recipe: Recipe,
  packages: LockedPackage[],
  options: { cacheRoot: string; pythonVersion: string; signal?: AbortSignal },
) {
  if (packages.length === 0) return [];
  // Credentials only matter for wheels not yet cached; without them those downloads fail by name.
  const netrc = await readEnvironment(projectDir)
    .then(({ file }) =>
      pipIndexes(
        sectionWithRecipe(parsePipSection(file.spec.pip), recipe, file.spec.pipRepositories),
      ),
    )
    .then((i) => i.netrc)
    .catch(() => '');
  return Promise.all(packages.map((p) => wheelFileList(p, { ...options, netrc })));
}
