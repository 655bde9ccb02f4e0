import { CondenseError } from '../../../shared/api/errors';
import { parsePipSection } from '../../../shared/pip/requirement';
import { readEnvironment } from '../lock/lock-files';
import { loadRecipe } from '../recipe/recipe-file';
import { parseNetrc, pipIndexes } from './credentials';
import { sectionWithRecipe } from './lock-pip';

/**
 * The netrc the image build gets as the BuildKit secret `pip-netrc`: the credentials of the indexes
 * whose wheels the lock names, from the user's `${VAR}`s or ~/.netrc as at lock time. A host without
 * credentials fails here, naming the index.
 */
export async function pipBuildSecret(
  projectDir: string,
  hosts: string[],
  builder: 'buildkit' | 'classic',
  env: NodeJS.ProcessEnv = process.env,
): Promise<Buffer | undefined> {
  if (hosts.length === 0) return undefined;
  if (builder === 'classic')
    throw new CondenseError(
      'INVALID_INPUT',
      `pip packages from ${hosts.join(', ')} need credentials, which the classic builder cannot pass without leaving them in an image layer: build on an engine with BuildKit`,
    );
  const { file } = await readEnvironment(projectDir);
  const recipe = await loadRecipe(projectDir);
  const indexes = await pipIndexes(
    sectionWithRecipe(parsePipSection(file.spec.pip), recipe, file.spec.pipRepositories),
    env,
  );
  const entries = parseNetrc(indexes.netrc);
  const missing = hosts.filter(
    (h) => !entries.some((e) => e.machine === new URL(`http://${h}`).hostname),
  );
  if (missing.length > 0)
    throw new CondenseError(
      'UNAUTHORIZED',
      `pip index ${missing.join(', ')} needs credentials for the build: give them as \${VAR}s in its URL (set in this environment) or in ~/.netrc`,
      { indexes: missing },
    );
  return Buffer.from(indexes.netrc);
}
