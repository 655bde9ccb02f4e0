import { sizeScale } from '../../../../shared/format/size';
import { LayerChart } from '../../components/Charts';
import { toVariantView } from '../../store/build-view';
import type { JobView } from '../../store/types';

/**
 * One layer chart per variant of the running build, filled in as each variant's image is done
 * (layer sizes come from the image, so a variant still building shows where its chart will be).
 */
export function LiveLayers({ job, variants }: { job: JobView; variants: string[] }) {
  const views = job.variants.filter((v) => v.state === 'succeeded').map((v) => toVariantView(v));
  const scale = Math.max(1, ...views.map((v) => v.totalBytes));
  const unit = sizeScale(views.flatMap((v) => v.layers.map((l) => l.bytes)));
  const ids = [...new Set([...variants, ...job.variants.map((v) => v.id)])];
  return (
    <div className="card">
      <h3>Layers</h3>
      <div className="chart-grid">
        {ids.map((id) => {
          const view = views.find((v) => v.variant === id);
          if (view) {
            return (
              <LayerChart key={id} title={id} layers={view.layers} scale={scale} unit={unit} />
            );
          }
          const result = job.variants.find((v) => v.id === id);
          return (
            <figure key={id} className="chart chart-pending">
              <figcaption>{id}</figcaption>
              <p className="muted">
                {result
                  ? `No image: ${result.state === 'cancelled' ? 'cancelled' : 'the build failed'}.`
                  : job.state === 'running'
                    ? 'Its layers appear here when its image is built.'
                    : 'Not built.'}
              </p>
            </figure>
          );
        })}
      </div>
    </div>
  );
}
