import { useMemo } from 'react';
import { useStudio, selectTarget } from '../store/studioStore';
import { setOverlay } from '../store/actions';
import { reduceChannels, symmetricLimit } from '../core/image/display';
import { Heatmap } from './Heatmap';
import { Legend, legendNumber } from './Legend';
import { mapScale } from './mapScale';
import { unitOfRun } from '../core/methods/units';

/** The first relevance map: the gradient of the explained class's logit. */
export function RelevancePanel({ methodId }: { methodId: string }) {
  const run = useStudio((s) => s.runs[methodId]);
  const method = useStudio((s) => s.model?.methods.find((m) => m.id === methodId));
  const classes = useStudio((s) => s.model?.classes);
  const classification = useStudio((s) => s.classification);
  const target = useStudio(selectTarget);
  const overlay = useStudio((s) => s.overlay);
  const unit = method?.unit;
  const map = useMemo(() => {
    if (!run?.relevance || !run.shape || !unit) return null;
    const reduced = reduceChannels(run.relevance, run.shape);
    const range = symmetricLimit(reduced.values);
    // Both signs, the map's own range, in its unit (the variant in the run's parameters may square it).
    const scale = mapScale({ unit: unitOfRun(unit, run.params), sign: 'all', normalisation: 'per-map', limit: range.limit, format: legendNumber });
    return { ...reduced, ...range, scale };
  }, [run?.relevance, run?.shape, run?.params, unit]);
  if (!method) return null;
  return (
    <section className="panel" aria-labelledby={`${methodId}-title`} data-testid={`panel-${methodId}`}>
      <h2 id={`${methodId}-title`}>{method.label}</h2>
      <p className="formula">{method.formula}<span className="description"> — {method.description}</span></p>
      {!classification && <p className="hint">The map appears once there is an input.</p>}
      {run?.status === 'running' && <progress max={1} value={run.progress} aria-label={`${method.label} progress`} />}
      {run?.status === 'error' && <p role="alert" className="error">{run.error}</p>}
      {map && classification && (
        <>
          <p className="caption" data-testid="relevance-caption">
            Class {classes?.[target ?? 0]}: {map.scale.caption}
          </p>
          <div className="pair">
            <figure>
              <Heatmap values={map.values} width={map.width} height={map.height} scale={map.scale} size={overlay ? 180 : 280}
                label={`${method.label} relevance map`} testId="heatmap" />
              <figcaption>Map</figcaption>
            </figure>
            {overlay && (
              <figure>
                <Heatmap values={map.values} width={map.width} height={map.height} scale={map.scale} size={180}
                  base={classification.pixels} overlay label={`${method.label} over the input`} testId="overlay" />
                <figcaption>Over the input</figcaption>
              </figure>
            )}
          </div>
          <Legend scale={map.scale} min={map.min} max={map.max} testId="legend" />
          <label className="toggle">
            <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.currentTarget.checked)} data-testid="overlay-toggle" />
            Show the map over the input
          </label>
          <p className="meta" data-testid="run-meta">{run?.milliseconds?.toFixed(0)} ms on {run?.backend}</p>
        </>
      )}
    </section>
  );
}
