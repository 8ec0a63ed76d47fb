import { useId, useMemo } from 'react';
import { scaleLinear } from 'd3-scale';
import { SANITY_THRESHOLD } from '../../core/evaluate/sanity';
import { LOGIT_SHARE } from '../../core/methods/units';
import { symmetricLimit } from '../../core/image/display';
import type { SanityMap, SanityState } from '../../store/evaluateSlice';
import { cancelSanityCheck, chooseSanityMethod, runSanityCheck } from '../../store/evaluateActions';
import { Heatmap } from '../Heatmap';
import { mapScale } from '../mapScale';
import { Axis, formatNumber, linePath } from '../plots/Axis';

const MAP = 96;
const W = 360;
const H = 200;
const M = { top: 12, right: 16, bottom: 48, left: 56 };

/** |R| per pixel, channels summed (what the check compares, drawn once per pixel). */
function absolutePerPixel(values: Float32Array, channels: number): Float32Array {
  const out = new Float32Array(values.length / channels);
  for (let i = 0; i < values.length; i++) out[Math.floor(i / channels)] += Math.abs(values[i]);
  return out;
}

function caption(k: number): string {
  if (k === 0) return 'trained model';
  return `top ${k} layer${k === 1 ? '' : 's'} random`;
}

/** Spearman of |R| and of R, and SSIM, against the number of layers randomised (0: the trained model). */
function CorrelationPlot({ maps, total }: { maps: SanityMap[]; total: number }) {
  const x = useMemo(() => scaleLinear().domain([0, Math.max(1, total)]).range([M.left, W - M.right]), [total]);
  const y = useMemo(() => scaleLinear().domain([-0.2, 1]).range([H - M.bottom, M.top]), []);
  const series = [
    { key: 'spearmanAbs', label: 'Spearman of |R|', className: 'sanity-abs', value: (m: SanityMap) => m.spearmanAbs },
    { key: 'spearman', label: 'Spearman of R', className: 'sanity-signed', value: (m: SanityMap) => m.spearman },
    { key: 'ssim', label: 'SSIM of |R|', className: 'sanity-ssim', value: (m: SanityMap) => m.ssim },
  ];
  return (
    <figure className="plot" data-testid="sanity-plot">
      <svg width={W} height={H} role="img" aria-label={`Similarity to the original map as layers are randomised: ${maps.slice(1).map((m, i) => `${i + 1} layers, Spearman of |R| ${m.spearmanAbs.toFixed(2)}`).join('; ') || 'no step yet'}`}>
        <Axis scale={x} side="bottom" transform={`translate(0,${H - M.bottom})`} ticks={Math.max(1, total)} format={(v) => String(v)} title="layers randomised, from the top" />
        <Axis scale={y} side="left" transform={`translate(${M.left},0)`} ticks={4} format={formatNumber} title="similarity" />
        <line x1={M.left} x2={W - M.right} y1={y(SANITY_THRESHOLD)} y2={y(SANITY_THRESHOLD)} className="sanity-threshold" />
        {series.map((s) => <path key={s.key} className={s.className} d={linePath(maps.map((m, k) => [x(k), y(s.value(m))]))} />)}
      </svg>
      <figcaption className="plot-legend">
        {series.map((s) => (
          <span key={s.key}><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" className={s.className} /></svg>{s.label}</span>
        ))}
        <span><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" className="sanity-threshold" /></svg>verdict threshold {SANITY_THRESHOLD}</span>
      </figcaption>
    </figure>
  );
}

/**
 * The sanity check by cascading model randomisation (Adebayo et al. 2018): the chosen method's
 * |R| on the trained model, then with its weight layers re-drawn from the top, one more at a
 * time, each with its rank correlation and SSIM against the original, and the verdict.
 */
export function SanityStrip({ sanity, methods, labels, shape }: {
  sanity: SanityState; methods: string[]; labels: Record<string, string>; shape: [number, number, number];
}) {
  const selectId = useId();
  const { run, maps, total, verdict } = sanity;
  const busy = run?.status === 'running' || run?.status === 'queued';
  const [height, width, channels] = shape;
  const drawn = useMemo(() => maps.map((m) => {
    const values = absolutePerPixel(m.relevance, channels);
    return { values, scale: mapScale({ unit: LOGIT_SHARE, sign: 'absolute', normalisation: 'per-map', limit: symmetricLimit(values).limit }) };
  }), [maps, channels]);
  return (
    <section className="sanity" aria-labelledby={`${selectId}-title`} data-testid="sanity">
      <h3 id={`${selectId}-title`}>Sanity check: does the map change when the model is destroyed?</h3>
      <p className="hint">
        The layers&apos; weights are re-drawn from their initialisers, from the output down, one more layer at a time (Adebayo et al. 2018).
        A map that still looks the same does not explain what the model learned. Maps show |R|, each on its own range.
      </p>
      <div className="control-row">
        <label htmlFor={selectId}>Method</label>
        <select id={selectId} value={sanity.methodId} onChange={(e) => chooseSanityMethod(e.currentTarget.value)} disabled={busy} data-testid="sanity-method">
          {methods.map((id) => <option key={id} value={id}>{labels[id] ?? id}</option>)}
        </select>
        <button type="button" onClick={() => void runSanityCheck()} disabled={busy || !methods.includes(sanity.methodId)} data-testid="sanity-run">Run the sanity check</button>
        {busy && <button type="button" onClick={() => void cancelSanityCheck()} disabled={run.cancelling} data-testid="sanity-cancel">Cancel the sanity check</button>}
        {busy && <progress max={1} value={run.progress} aria-label="Sanity check progress" />}
      </div>
      {run?.status === 'error' && <p role="alert" className="error" data-testid="sanity-error">{run.error}</p>}
      {run?.status === 'cancelled' && <p className="meta">Cancelled; the maps computed so far stay.</p>}
      {maps.length > 0 && (
        <div className="sanity-body">
          <ol className="sanity-strip" data-testid="sanity-strip">
            {maps.map((m, k) => (
              <li key={k}>
                <figure>
                  <Heatmap values={drawn[k].values} width={width} height={height} scale={drawn[k].scale} size={MAP}
                    label={`|R| of ${labels[sanity.methodId] ?? sanity.methodId}, ${caption(k)}${m.randomised.length ? ` (${m.randomised.join(', ')})` : ''}`} testId={`sanity-map-${k}`} />
                  <figcaption>
                    {caption(k)}
                    {k > 0 && <><br /><span className="sanity-layer">{m.randomised[m.randomised.length - 1]}</span></>}
                    {k > 0 && <><br />ρ|R| {m.spearmanAbs.toFixed(2)} · ρ {m.spearman.toFixed(2)}<br />SSIM {m.ssim.toFixed(2)}</>}
                  </figcaption>
                </figure>
              </li>
            ))}
            {Array.from({ length: Math.max(0, total + 1 - maps.length) }, (_, k) => (
              <li key={`pending-${k}`}><div className="placeholder" style={{ width: MAP, height: MAP }} aria-hidden="true" /></li>
            ))}
          </ol>
          <CorrelationPlot maps={maps} total={total} />
        </div>
      )}
      {verdict && (
        <p className={verdict.passes ? 'sanity-verdict pass' : 'sanity-verdict fail'} data-testid="sanity-verdict">
          <strong>{verdict.passes ? 'Passes' : 'Fails'}:</strong> {verdict.reason}
        </p>
      )}
    </section>
  );
}
