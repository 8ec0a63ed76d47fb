import { useEffect, useMemo, useState } from 'react';
import { useStudio, selectTarget } from '../store/studioStore';
import { setTarget } from '../store/actions';
import { cancelRde, restorePoint, runRde, setRdeSettings, sweepLambda } from '../store/rdeActions';
import { RDE_MODES, modeLabel, type RdeMode } from '../store/rdeSlice';
import { Heatmap } from './Heatmap';
import { Legend } from './Legend';
import { mapScale } from './mapScale';
import { formatValue } from './compare/format';
import { reduceChannels, symmetricLimit } from '../core/image/display';
import { ObfuscationStrip } from './ObfuscationStrip';
import { TracePlot } from './plots/TracePlot';
import { PlanePlot } from './plots/PlanePlot';
import { formatNumber } from './plots/Axis';

const pickPoint = (id: number) => void restorePoint(id);

const LOG_MIN = -3;
const LOG_MAX = 2;

/** A number field that commits on Enter or blur and says, beside itself, why a value is refused. */
function NumberField({ label, value, min, max, step, integer = false, onCommit, testId }: {
  label: string; value: number; min: number; max: number; step: number | 'any'; integer?: boolean;
  onCommit: (v: number) => void; testId: string;
}) {
  const [text, setText] = useState(String(value));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setText(String(Number(value.toPrecision(4)))), [value]);
  const commit = () => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) return setProblem(`${label} must be a number.`);
    if (integer && !Number.isInteger(v)) return setProblem(`${label} must be a whole number.`);
    if (v < min || v > max) return setProblem(`${label} must be between ${min} and ${max}.`);
    setProblem(null);
    if (v !== value) onCommit(v);
  };
  return (
    <span className="field">
      <input type="number" value={text} min={min} max={max} step={step} aria-label={label} data-testid={testId}
        aria-invalid={problem !== null} onChange={(e) => setText(e.currentTarget.value)} onBlur={commit}
        onKeyDown={(e) => { if (e.key === 'Enter') commit(); }} />
      {problem && <span role="alert" className="error field-problem">{problem}</span>}
    </span>
  );
}

/** Progress, status and errors of the current run (and sweep). */
function RunStatus() {
  const status = useStudio((s) => s.rde.status);
  const progress = useStudio((s) => s.rde.progress);
  const iterations = useStudio((s) => s.rde.trace.length);
  const sweep = useStudio((s) => s.rde.sweep);
  const error = useStudio((s) => s.rde.error);
  return (
    <div className="status" aria-live="polite">
      <progress max={1} value={status === 'running' ? progress : status === 'done' ? 1 : 0} aria-label="RDE progress" data-testid="rde-progress" />
      <span data-testid="rde-status">
        {status === 'running' && `Optimising… ${Math.round(progress * 100)}%`}
        {status === 'done' && `Done: ${iterations} iterations`}
        {status === 'cancelled' && 'Cancelled'}
        {sweep && ` · sweep ${sweep.done}/${sweep.total}`}
      </span>
      {status === 'error' && <p role="alert" className="error">{error}</p>}
    </div>
  );
}

/** The mask s and the input masked by it, with the latest D, rate and F. */
function MaskView() {
  const mask = useStudio((s) => s.rde.mask);
  const classification = useStudio((s) => s.classification);
  const shape = useStudio((s) => s.model?.inputShape);
  const classes = useStudio((s) => s.model?.classes);
  const target = useStudio(selectTarget);
  const last = useStudio((s) => s.rde.trace[s.rde.trace.length - 1]);
  const unit = useStudio((s) => s.model?.methods.find((m) => m.id === 'rde')?.unit);
  // Drawn through the one map scale (ui/mapScale.ts), as the comparison grid draws the mask.
  const view = useMemo(() => {
    if (!mask || !shape || !unit) return null;
    const reduced = reduceChannels(mask, [1, ...shape], 'mean');
    return { ...reduced, ...symmetricLimit(reduced.values), scale: mapScale({ unit, sign: 'all', normalisation: 'per-map', limit: 1 }) };
  }, [mask, shape, unit]);
  const masked = useMemo(() => {
    if (!mask || !classification) return null;
    return mask.map((v, i) => v * classification.pixels[i]);
  }, [mask, classification]);
  if (!shape) return null;
  const [h, w] = shape;
  return (
    <div className="rde-maps">
      <p className="caption" data-testid="rde-mask-caption">Class {target !== null ? classes?.[target] : '–'}: {view?.scale.caption ?? 'the mask s appears once RDE has run.'}</p>
      <div className="pair">
        <figure>
          {view
            ? <Heatmap values={view.values} width={view.width} height={view.height} scale={view.scale} size={200} label="RDE mask s" testId="rde-mask" />
            : <div className="placeholder" style={{ width: 200, height: 200 }} />}
          <figcaption>Mask s{view && ` (${view.scale.colours.low} ${view.scale.labels.low} … ${view.scale.colours.high} ${view.scale.labels.high})`}</figcaption>
        </figure>
        <figure>
          {masked
            ? <Heatmap values={masked} width={w} height={h} limit={1} palette="ink" size={200} label="Input masked by s" testId="rde-masked" />
            : <div className="placeholder" style={{ width: 200, height: 200 }} />}
          <figcaption>Input masked by s (s ⊙ x)</figcaption>
        </figure>
      </div>
      {view && <Legend scale={view.scale} min={view.min} max={view.max} testId="rde-legend" compact format={formatValue} />}
      <p className="meta" data-testid="rde-readout">
        {last ? `D = ${formatNumber(last.distortion)}, rate = ${formatNumber(last.rate)}, F = ${formatNumber(last.objective)} after ${last.iteration} iterations` : ' '}
      </p>
    </div>
  );
}

function LiveTrace() {
  const trace = useStudio((s) => s.rde.trace);
  const iterations = useStudio((s) => s.rde.settings.iterations);
  return <TracePlot trace={trace} iterations={iterations} />;
}

function Plane() {
  const points = useStudio((s) => s.rde.points);
  return <PlanePlot points={points} onPick={pickPoint} />;
}

/** The RDE panel: controls, the mask and the masked input, live plots and the teaching strip. */
export function RdePanel() {
  // Narrow subscriptions: the streamed trace, mask and progress re-render only their own parts.
  const settings = useStudio((s) => s.rde.settings);
  const running = useStudio((s) => s.rde.status === 'running');
  const sweeping = useStudio((s) => s.rde.sweep !== null);
  const model = useStudio((s) => s.model);
  const classification = useStudio((s) => s.classification);
  const override = useStudio((s) => s.targetOverride);
  const maxRank = model?.referenceRank ?? 0;
  const method = model?.methods.find((m) => m.id === 'rde');
  if (!model || !method) return null;
  const unavailable = model.referenceRank === null
    ? 'This model has no reference distribution V (reference.json), so RDE cannot obfuscate its input.'
    : !method.available ? method.reason : null;
  return (
    <section className="panel rde" aria-labelledby="rde-title" data-testid="panel-rde">
      <h2 id="rde-title">{method.label}</h2>
      <p className="formula">{method.formula}<span className="description"> — {method.description}</span></p>
      {unavailable && <p role="alert" className="error">{unavailable}</p>}
      {!classification && !unavailable && <p className="hint">The mask appears once there is an input.</p>}
      {classification && !unavailable && (
        <div className="rde-grid">
          <form className="rde-controls" onSubmit={(e) => { e.preventDefault(); void runRde(); }} aria-label="RDE settings">
            <label htmlFor="rde-lambda-slider">λ (rate weight)</label>
            <div className="control-row">
              <input id="rde-lambda-slider" type="range" min={LOG_MIN} max={LOG_MAX} step={0.01} data-testid="rde-lambda-slider"
                value={Math.log10(Math.max(settings.lambda, 10 ** LOG_MIN))}
                aria-valuetext={`λ = ${formatNumber(settings.lambda)}`}
                onChange={(e) => setRdeSettings({ lambda: Number((10 ** Number(e.currentTarget.value)).toPrecision(3)) })} />
              <NumberField label="λ" value={settings.lambda} min={0} max={10000} step="any" testId="rde-lambda"
                onCommit={(lambda) => setRdeSettings({ lambda })} />
            </div>
            <label htmlFor="rde-rank">Covariance rank of V (0 = diagonal)</label>
            <div className="control-row">
              <input id="rde-rank" type="range" min={0} max={maxRank} step={1} value={Math.min(settings.rank, maxRank)} data-testid="rde-rank"
                onChange={(e) => setRdeSettings({ rank: Number(e.currentTarget.value) })} />
              <output htmlFor="rde-rank" className="num">{settings.rank}</output>
            </div>
            <label htmlFor="rde-mode">Distortion computed by</label>
            <select id="rde-mode" value={settings.mode} data-testid="rde-mode"
              onChange={(e) => setRdeSettings({ mode: e.currentTarget.value as RdeMode })}>
              {(Object.keys(RDE_MODES) as RdeMode[]).map((m) => <option key={m} value={m}>{RDE_MODES[m]}</option>)}
            </select>
            {settings.mode === 'mc' && (
              <label className="inline">Samples per step
                <NumberField label="Samples" value={settings.samples} min={1} max={4096} step={1} integer testId="rde-samples"
                  onCommit={(samples) => setRdeSettings({ samples })} />
              </label>
            )}
            <div className="control-row">
              <label className="inline">Iterations
                <NumberField label="Iterations" value={settings.iterations} min={1} max={5000} step={1} integer testId="rde-iterations"
                  onCommit={(iterations) => setRdeSettings({ iterations })} />
              </label>
              <label className="inline">s₀
                <NumberField label="s₀" value={settings.s0} min={0} max={1} step={0.05} testId="rde-s0"
                  onCommit={(s0) => setRdeSettings({ s0 })} />
              </label>
            </div>
            <span className="control-label" id="rde-plateau-label">Stop when F falls by less than this fraction over 10 iterations (0 = use the whole budget)</span>
            <NumberField label="Stop tolerance" value={settings.plateau} min={0} max={1} step="any" testId="rde-plateau"
              onCommit={(plateau) => setRdeSettings({ plateau })} />
            <label htmlFor="rde-class">Explained class</label>
            <select id="rde-class" value={override === null ? 'predicted' : String(override)} data-testid="rde-class"
              onChange={(e) => setTarget(e.currentTarget.value === 'predicted' ? null : Number(e.currentTarget.value))}>
              <option value="predicted">Predicted ({model.classes[classification.predicted]})</option>
              {model.classes.map((c, k) => <option key={c} value={k}>{c}</option>)}
            </select>
            <p className="mode-label" data-testid="rde-mode-label">{modeLabel(settings)}</p>
            <div className="control-row">
              <button type="submit">Run</button>
              <button type="button" onClick={() => void sweepLambda()} disabled={sweeping}>Sweep λ</button>
              <button type="button" onClick={() => void cancelRde()} disabled={!running} data-testid="rde-cancel">Cancel</button>
            </div>
            <RunStatus />
          </form>
          <MaskView />
          <LiveTrace />
          <Plane />
        </div>
      )}
      {classification && !unavailable && <ObfuscationStrip />}
    </section>
  );
}
