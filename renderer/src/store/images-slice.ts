import { describeError } from '../lib/format';
import type { ImagesSlice, SliceCreator } from './types';

/** The project's image tags on the engine, and removing older builds' tags (`build:pruneImages`). */
export const createImagesSlice: SliceCreator<ImagesSlice> =
  ({ api }) =>
  (set, get) => ({
    engineImages: undefined,
    imagesBusy: false,
    async loadImages() {
      const dir = get().project?.dir;
      if (!dir) return;
      try {
        const images = await api.call('build:images', { projectDir: dir });
        set({ engineImages: images, imagesError: undefined });
      } catch (error) {
        set({ imagesError: describeError(error) });
      }
    },
    async pruneOldImages(keep) {
      const dir = get().project?.dir;
      if (!dir || get().imagesBusy) return;
      set({ imagesBusy: true, imagesError: undefined, imagesMessage: undefined });
      try {
        const result = await api.call('build:pruneImages', {
          projectDir: dir,
          ...(keep !== undefined ? { keep } : {}),
        });
        const kept = result.kept.map((k) => ` Kept ${k.tag}: ${k.reason}.`).join('');
        set({
          imagesMessage: `Removed ${result.removed.length} old image tag(s).${kept}`,
        });
        // The history now says which builds' images are gone; the list shows what is left.
        await Promise.all([get().loadImages(), get().loadHistory()]);
      } catch (error) {
        set({ imagesError: describeError(error) });
      } finally {
        set({ imagesBusy: false });
      }
    },
  });
