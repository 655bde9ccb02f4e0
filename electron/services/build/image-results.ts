import type { LayerInfo } from '../../../shared/api/build';
import type { HistoryEntry } from '../../../shared/build/layers';
import { layersFromHistory } from '../../../shared/build/layers';
import type { Engine } from '../docker/engine';
import { engineCall, engineError } from '../docker/engine';

export interface ImageResults {
  imageId: string;
  tags: string[];
  sizeBytes: number;
  layers: LayerInfo[];
}

/** Size, tags and per-layer sizes (with the instruction that made each layer) of a built image. */
export async function imageResults(
  engine: Engine,
  imageId: string,
  signal?: AbortSignal,
): Promise<ImageResults> {
  try {
    const image = engine.docker.getImage(imageId);
    const [inspect, history] = await engineCall(
      engine,
      `inspect image ${imageId}`,
      () => Promise.all([image.inspect(), image.history() as Promise<HistoryEntry[]>]),
      signal,
    );
    return {
      imageId: inspect.Id,
      tags: inspect.RepoTags ?? [],
      sizeBytes: inspect.Size,
      layers: layersFromHistory(history),
    };
  } catch (error) {
    throw engineError(error, engine.target);
  }
}
