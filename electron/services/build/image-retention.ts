import type { ImagePruneResult, ProjectImage } from '../../../shared/api/build';
import { CondenseError, isCondenseError, toErrorInfo } from '../../../shared/api/errors';
import { DEFAULT_KEEP_BUILDS } from '../../../shared/build/retention';
import type { Engine } from '../docker/engine';
import { engineCall, engineError } from '../docker/engine';
import { listBuilds, loadBuild, saveBuild } from './history-store';

export { DEFAULT_KEEP_BUILDS };

const BUILD_TAG = /^(.+)-([0-9]{8}-[0-9]{6}-[0-9a-f]{6})$/;

/** Checks a keep count from an untrusted caller: a whole number from 0 (keep all) up. */
export function checkKeep(keep: unknown, name = 'keep'): number {
  if (keep === undefined) return DEFAULT_KEEP_BUILDS;
  if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 0 || keep > 10_000) {
    throw new CondenseError(
      'INVALID_INPUT',
      `${name} must be a whole number of builds from 0 (keep all) to 10000, e.g. 5.`,
    );
  }
  return keep;
}

/** The project's tags in `repository`, newest image first. */
export async function listProjectImages(
  engine: Engine,
  repository: string,
  signal?: AbortSignal,
): Promise<ProjectImage[]> {
  const images = await engineCall(
    engine,
    `list images of ${repository}`,
    (abortSignal) =>
      engine.docker.listImages({ filters: { reference: [`${repository}:*`] }, abortSignal }),
    signal,
  );
  const rows: ProjectImage[] = [];
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      // The reference filter also matches longer repository names on some engines; keep ours only.
      if (!tag.startsWith(`${repository}:`)) continue;
      const name = tag.slice(repository.length + 1);
      const match = BUILD_TAG.exec(name);
      rows.push({
        tag,
        ...(match ? { buildId: match[2]!, variant: match[1]! } : { variant: name }),
        imageId: image.Id,
        sizeBytes: image.Size,
        created: new Date(image.Created * 1000).toISOString(),
      });
    }
  }
  return rows.sort(
    (a, b) =>
      b.created.localeCompare(a.created) ||
      (b.buildId ?? '~').localeCompare(a.buildId ?? '~') ||
      a.tag.localeCompare(b.tag),
  );
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Removes the `<variant>-<buildId>` tags of this project's builds older than the newest `keep`
 * (history order), with `docker image rm` semantics: no force, so an image still tagged elsewhere
 * only loses this tag, and an image a container uses stays (reported in `kept`). Builds whose tags
 * are all gone are marked `imagesRemoved` in the history. Tags of builds not in this project's
 * history are left alone: they may belong to another project sharing the repository name.
 */
export async function pruneProjectImages(
  engine: Engine,
  options: {
    projectDir: string;
    repository: string;
    keep: number;
    onProgress?: (message: string) => void;
    signal?: AbortSignal;
  },
): Promise<ImagePruneResult> {
  const result: ImagePruneResult = { removed: [], kept: [], buildsMarked: [] };
  if (options.keep === 0) return result;
  const builds = await listBuilds(options.projectDir);
  // Failed or cancelled builds without any image count as nothing to keep.
  const withImages = builds.filter((b) => b.variants.some((v) => v.imageId));
  const keepIds = new Set(withImages.slice(0, options.keep).map((b) => b.id));
  const older = new Set(withImages.slice(options.keep).map((b) => b.id));
  const images = await listProjectImages(engine, options.repository, options.signal);
  const remaining = new Map<string, number>();
  for (const image of images) {
    if (!image.buildId || !older.has(image.buildId)) continue;
    options.onProgress?.(`Removing ${image.tag}`);
    try {
      await engineCall(
        engine,
        `remove ${image.tag}`,
        (abortSignal) => engine.docker.getImage(image.tag).remove({ abortSignal }),
        options.signal,
      );
      result.removed.push(image.tag);
    } catch (error) {
      if (isCondenseError(error, 'TIMEOUT') || isCondenseError(error, 'CANCELLED')) throw error;
      const status = statusOf(error);
      if (status === 404) continue;
      const reason =
        status === 409
          ? 'in use by a container (remove the container, then prune again)'
          : toErrorInfo(engineError(error, engine.target)).message;
      result.kept.push({ tag: image.tag, reason });
      remaining.set(image.buildId, (remaining.get(image.buildId) ?? 0) + 1);
      options.onProgress?.(`Kept ${image.tag}: ${reason}`);
    }
  }
  for (const build of withImages) {
    if (keepIds.has(build.id) || build.imagesRemoved || remaining.has(build.id)) continue;
    const record = await loadBuild(options.projectDir, build.id);
    await saveBuild(options.projectDir, { ...record, imagesRemoved: true });
    result.buildsMarked.push(build.id);
  }
  return result;
}
