import { lockImportModules } from '../../../shared/build/smoke';
import { defaultServiceCheck } from '../../../shared/checks/model';
import type { ServiceProbe, WorkflowInput } from '../../../shared/delivery/workflows';
import {
  GITHUB_WORKFLOW_PATH,
  githubWorkflow,
  GITLAB_CI_PATH,
  gitlabCi,
} from '../../../shared/delivery/workflows';
import { commandOf, targetStage } from '../../../shared/recipe/dockerfile';
import type { Recipe } from '../../../shared/recipe/model';
import { lockedFileLists } from '../analysis/savings-analysis';
import { APP_NAME, APP_VERSION } from '../app-info';
import { defaultRepository } from '../build/build-service';
import { generatedFiles } from '../recipe/generated-files';
import { projectSbom } from './sbom-service';

export const SBOM_FILE = 'sbom.spdx.json';
/** One variant's SBOM: its namespace is what that variant's images carry in `dev.condense.sbom`. */
export const variantSbomFile = (variant: string) => `sbom-${variant}.spdx.json`;

export interface DeliveryFilesOptions {
  projectDir: string;
  recipe: Recipe;
  cacheRoot: string;
  signal?: AbortSignal;
}

/** The recipe's service check for CI (`service:` in condense.yml, defaults when only a port is set). */
function serviceProbe(recipe: Recipe): ServiceProbe | undefined {
  if (recipe.port === null || commandOf(recipe.entrypoint, recipe.prefix) === null)
    return undefined;
  const check = recipe.service ?? defaultServiceCheck();
  return {
    port: recipe.port,
    path: check.path,
    method: check.method,
    ...(check.body !== null ? { body: check.body } : {}),
    status: check.status,
    ...(check.expect !== null ? { expect: check.expect } : {}),
    timeoutSeconds: check.timeoutSeconds,
  };
}

/**
 * The files an export adds for delivery: the SBOM of the lock and CI files (GitHub Actions, GitLab CI)
 * that check the lock is fresh, build every variant, run the smoke and service checks, and push on
 * the main branch.
 */
export async function deliveryFiles(options: DeliveryFilesOptions): Promise<Map<string, string>> {
  const { recipe } = options;
  const common = {
    projectDir: options.projectDir,
    cacheRoot: options.cacheRoot,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const sbom = await projectSbom(common);
  const { lists } = await lockedFileLists({ ...common, recipe });
  const probe = serviceProbe(recipe);
  const input: WorkflowInput = {
    repository: defaultRepository(options.projectDir),
    lockfile: recipe.lockfile,
    platform: recipe.platform,
    variants: generatedFiles(recipe).variants.map((v) => ({
      id: v.id,
      target: v.target ?? targetStage(),
    })),
    smokeModules: lockImportModules(lists).modules,
    ...(probe ? { service: probe } : {}),
  };
  const tool = `${APP_NAME.toLowerCase()}-${APP_VERSION}`;
  // Images are labelled with their variant's SBOM namespace: the export carries those documents too,
  // so the label of every image built from it names a file that is here.
  const perVariant: [string, string][] = [];
  for (const variant of recipe.variants) {
    const document = await projectSbom({ ...common, variant: variant.id });
    perVariant.push([variantSbomFile(variant.id), `${JSON.stringify(document, null, 2)}\n`]);
  }
  return new Map([
    [SBOM_FILE, `${JSON.stringify(sbom, null, 2)}\n`],
    ...perVariant,
    [GITHUB_WORKFLOW_PATH, githubWorkflow(input, tool)],
    [GITLAB_CI_PATH, gitlabCi(input, tool)],
  ]);
}
