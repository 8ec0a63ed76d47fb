import { useMemo } from 'react';
import { useStudio, selectTarget } from '../store/studioStore';
import { setOverlay } from '../store/actions';
import { reduceChannels, symmetricLimit } from '../core/image/display';
import { Heatmap } from './Heatmap';
import { Legend } from './Legend';

/** The first relevance map: the gradient of the explained class's logit. */
export function RelevancePanel({ methodId }: { methodId: string }) {
  const run = useStudio((s) => s.runs[methodId]);
  const method = useStudio((s) => s.model?.methods.find((m) => m.id === methodId));
  const classes = useStudio((s) => s.model?.classes);
  const classification = useStudio((s) => s.classification);
  const target = useStudio(selectTarget);
  const overlay = useStudio((s) => s.overlay);
  const map = useMemo(() => {
    if (!run?.relevance || !run.shape) return null;
    const reduced = reduceChannels(run.relevance, run.shape);
    return { ...reduced, ...symmetricLimit(reduced.values) };
  }, [run?.relevance, run?.shape]);
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
            Class {classes?.[target ?? 0]}: red raises its logit, blue lowers it.
          </p>
          <div className="pair">
            <figure>
              <Heatmap values={map.values} width={map.width} height={map.height} limit={map.limit} size={overlay ? 180 : 280}
                label={`${method.label} relevance map`} testId="heatmap" />
              <figcaption>Map</figcaption>
            </figure>
            {overlay && (
              <figure>
                <Heatmap values={map.values} width={map.width} height={map.height} limit={map.limit} size={180}
                  base={classification.pixels} overlay label={`${method.label} over the input`} testId="overlay" />
                <figcaption>Over the input</figcaption>
              </figure>
            )}
          </div>
          <Legend limit={map.limit} min={map.min} max={map.max} unit="∂ logit / ∂ pixel" />
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
