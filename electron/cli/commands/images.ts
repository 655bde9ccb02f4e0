import type { ProjectImage } from '../../../shared/api/build';
import { CondenseError } from '../../../shared/api/errors';
import { validate } from '../../../shared/api/validate';
import { formatSize } from '../../../shared/format/size';
import { defaultRepository } from '../../services/build/build-service';
import {
  checkKeep,
  listProjectImages,
  pruneProjectImages,
} from '../../services/build/image-retention';
import { connectEngine } from '../../services/docker/engine';
import type { CliCommand } from '../command';

/** `--keep N` as a whole number; the message says what to give instead. */
export function parseKeep(
  value: string | boolean | undefined,
  flag = '--keep',
): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : '';
  if (!/^[0-9]+$/.test(text)) {
    throw new CondenseError(
      'INVALID_INPUT',
      `${flag} must be a whole number of builds (e.g. ${flag} 5), not "${text}".`,
    );
  }
  return checkKeep(Number(text), flag);
}

/** Tag, build, size and creation time, one image tag a line. */
export function imagesText(images: ProjectImage[]): string {
  if (images.length === 0) return 'No images of this project on the engine.';
  const rows = [
    ['TAG', 'BUILD', 'SIZE', 'CREATED'],
    ...images.map((i) => [
      i.tag,
      i.buildId ?? '(latest)',
      formatSize(i.sizeBytes),
      i.created.slice(0, 19).replace('T', ' '),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `condense images [--prune [--keep N]] [--json]`: this project's image tags, and removing old ones. */
export const imagesCommand: CliCommand = {
  usage: 'images [--prune [--keep N]] [--repository R] [--context NAME] [--json]',
  options: {
    prune: { type: 'boolean' },
    keep: { type: 'string' },
    repository: { type: 'string' },
    context: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(context, values) {
    const keep = parseKeep(typeof values.keep === 'string' ? values.keep : undefined);
    if (keep !== undefined && !values.prune) {
      context.progress(
        'condense images: --keep goes with --prune (condense images --prune --keep 5).',
      );
      return 2;
    }
    // The contract's schema, as the app's door applies it: a bad repository is refused by name
    // before the engine is asked anything.
    const given = typeof values.repository === 'string' ? { repository: values.repository } : {};
    const request = values.prune
      ? validate('build:pruneImages', {
          projectDir: context.projectDir,
          ...given,
          ...(keep !== undefined ? { keep } : {}),
        })
      : validate('build:images', { projectDir: context.projectDir, ...given });
    const repository = request.repository ?? defaultRepository(context.projectDir);
    // The same engine as `condense build --context NAME`, so the images listed are the ones it built.
    const contextName = typeof values.context === 'string' ? values.context : undefined;
    const engine = connectEngine(contextName ? { context: contextName } : {});
    if (values.prune) {
      const result = await pruneProjectImages(engine, {
        projectDir: context.projectDir,
        repository,
        keep: keep ?? checkKeep(undefined),
        onProgress: (message) => context.progress(message),
        signal: context.signal,
      });
      context.progress(
        `Removed ${result.removed.length} tag(s); ${result.buildsMarked.length} build(s) marked as images removed.`,
      );
      if (values.json) {
        context.out(JSON.stringify(result, null, 2));
        return 0;
      }
    }
    const images = await listProjectImages(engine, repository, context.signal);
    context.out(values.json ? JSON.stringify(images, null, 2) : imagesText(images));
    return 0;
  },
};
