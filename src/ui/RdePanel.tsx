import { useEffect, useId, useMemo, useState } from 'react';
import { useStudio, selectTarget } from '../store/studioStore';
import { setTarget } from '../store/actions';
import { cancelRde, restorePoint, runRde, setRdeSettings, sweepLambda } from '../store/rdeActions';
import { modeLabel, rdeStatus } from '../store/rdeSlice';
import { RDE_FIELDS, rdeParams, type RdeParams } from '../core/rde/params';
import { RATE_TERM_FORMULAS, rdeFormula, type RateTerm } from '../core/rde/rateTerm';
import { parseParamInput, type NumericDescriptor, type ParamDescriptor } from '../core/methods/params';
import { Heatmap } from './Heatmap';
import { useRunEstimate } from './useRunEstimate';
import { Legend } from './Legend';
import { mapScale } from './mapScale';
import { formatValue } from './compare/format';
import { reduceChannels, symmetricLimit } from '../core/image/display';
import { ObfuscationStrip } from './ObfuscationStrip';
import { TracePlot } from './plots/TracePlot';
import { PlanePlot } from './plots/PlanePlot';
import { formatNumber } from './plots/Axis';
import { DistortionCheck } from './DistortionCheck';

const pickPoint = (id: number) => void restorePoint(id);

const LOG_MIN = -3;
const LOG_MAX = 2;

/** An enum's options, labelled as the schema says. */
function optionsOf(d: ParamDescriptor) {
  if (d.kind !== 'enum') return null;
  return d.options.map((o) => <option key={o} value={o}>{d.optionLabels?.[o] ?? o}</option>);
}

/** RDE's parameters as the panel's fields (label, help, bounds), from the one schema. */
const FIELDS = RDE_FIELDS;
const numeric = (name: keyof RdeParams) => FIELDS[name] as NumericDescriptor;

/** A "?" beside a control: opens the parameter's help text (from the schema) under it. */
function HelpTip({ descriptor }: { descriptor: ParamDescriptor }) {
  const [open, setOpen] = useState(false);
  const id = `help-${useId().replace(/[^\w-]/g, '')}`;
  return (
    <>
      <button type="button" className="help-tip" aria-expanded={open} aria-controls={id} title={descriptor.description}
        aria-label={`About ${descriptor.label}`} data-testid={`rde-help-${descriptor.name}`} onClick={() => setOpen(!open)}>?</button>
      {open && <span id={id} className="help-text" role="note" data-testid={`rde-help-text-${descriptor.name}`}>{descriptor.description}</span>}
    </>
  );
}

/**
 * A number field that commits on Enter or blur and says, beside itself, why a value is refused,
 * in the words every other surface uses for the same parameter (core/methods/params.ts).
 */
function NumberField({ name, value, onCommit }: { name: keyof RdeParams; value: number; onCommit: (v: number) => void }) {
  const d = numeric(name);
  const [text, setText] = useState(String(value));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setText(String(Number(value.toPrecision(4)))), [value]);
  const commit = () => {
    const parsed = parseParamInput(d, text);
    if (!parsed.ok) return setProblem(parsed.problem);
    setProblem(null);
    if (parsed.value !== value) onCommit(parsed.value as number);
  };
  return (
    <span className="field">
      <input type="number" value={text} min={d.min} max={d.max} step={d.kind === 'integer' ? 1 : 'any'} aria-label={d.label} data-testid={`rde-${name}`}
        aria-invalid={problem !== null} onChange={(e) => setText(e.currentTarget.value)} onBlur={commit}
        onKeyDown={(e) => { if (e.key === 'Enter') commit(); }} />
      {problem && <span role="alert" className="error field-problem">{problem}</span>}
    </span>
  );
}

/** Progress, status and errors of the current run (and sweep). */
function RunStatus() {
  const status = useStudio((s) => rdeStatus(s.rde));
  const progress = useStudio((s) => (s.rde.scheduled ? 0 : s.rde.run?.progress ?? 0));
  const iterations = useStudio((s) => s.rde.trace.length);
  const sweep = useStudio((s) => s.rde.sweep);
  const error = useStudio((s) => s.rde.run?.status === 'error' ? s.rde.run.error : s.rde.error);
  return (
    <div className="status" aria-live="polite">
      <progress max={1} value={status === 'running' ? progress : status === 'done' ? 1 : 0} aria-label="RDE progress" data-testid="rde-progress" />
      <span data-testid="rde-status">
        {status === 'running' && `Optimising… ${Math.round(progress * 100)}%`}
        {status === 'done' && `Done: ${iterations} iterations`}
        {status === 'cancelled' && 'Cancelled'}
        {sweep && ` · sweep ${sweep.done}/${sweep.total}`}
      </span>
      {error && <p role="alert" className="error">{error}</p>}
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
      <Readout />
    </div>
  );
}

/**
 * The latest D, rate and F, with F worked out in the objective's own terms: what is shown is
 * what the optimiser minimises (core/rde/rateTerm.ts), for the run shown, not the fields.
 */
function Readout() {
  const last = useStudio((s) => s.rde.trace[s.rde.trace.length - 1]);
  const requested = useStudio((s) => s.rde.run?.requested);
  const phiX = useStudio((s) => {
    const t = selectTarget(s);
    return t === null ? null : s.classification?.logits[t] ?? null;
  });
  const d = useStudio((s) => s.classification?.pixels.length ?? 0);
  const done = useStudio((s) => s.rde.run?.status === 'done');
  const maskTarget = useStudio((s) => s.rde.maskTarget);
  const backend = useStudio((s) => s.rde.run?.backend ?? '');
  if (!last || !requested || phiX === null) return <p className="meta" data-testid="rde-readout">{' '}</p>;
  const p = rdeParams.parse(requested);
  const term = p.regulariser;
  const f = formatNumber;
  const worked = term === 'reference' ? `${f(p.lambda)} × ${f(phiX)}² × ${f(last.rate)}`
    : term === 'mean' ? `${f(p.lambda)} × ${f(last.rate)}`
      : `${f(p.lambda)} × ${f(last.rate * d)}`;
  return (
    <p className="meta" data-testid="rde-readout" data-distortion={last.distortion} data-rate={last.rate} data-objective={last.objective}
      data-lambda={p.lambda} data-phi={phiX} data-d={d} data-rate-term={term}>
      D = {f(last.distortion)}, rate ‖s‖₁/d = {f(last.rate)}, Φ(x) = {f(phiX)}<br />
      F = D + {RATE_TERM_FORMULAS[term]} = {f(last.distortion)} + {worked} = {f(last.objective)} after {last.iteration} iterations
      {done && maskTarget !== null && <><br /><DistortionCheck distortion={last.distortion} target={maskTarget} params={p} backend={backend} testId="rde-check" /></>}
    </p>
  );
}

/** How long a run of the current settings takes here, before it starts. */
function RunEstimate({ settings }: { settings: RdeParams }) {
  // Asked once the run in flight is over: the worker answers between a run's iterations, and
  // the estimate is for the next press of Run.
  const running = useStudio((s) => rdeStatus(s.rde) === 'running');
  const text = useRunEstimate('rde', settings, !running);
  return <p className="hint" data-testid="rde-estimate">{text ? `A run takes ${text} here.` : ' '}</p>;
}

/** The objective of the run shown (or of the fields, before a run). */
function Formula({ description }: { description: string }) {
  const term = useStudio((s) => (s.rde.run ? rdeParams.parse(s.rde.run.requested).regulariser : s.rde.settings.regulariser) as RateTerm);
  return <p className="formula" data-testid="rde-formula">{rdeFormula(term)}<span className="description"> — {description}</span></p>;
}

function LiveTrace() {
  const trace = useStudio((s) => s.rde.trace);
  const iterations = useStudio((s) => s.rde.settings.iterations);
  return <TracePlot trace={trace} iterations={iterations} />;
}

function Plane() {
  const points = useStudio((s) => s.rde.points);
  const verifications = useStudio((s) => s.rde.verifications);
  return <PlanePlot points={points} verifications={verifications} onPick={pickPoint} />;
}

/** The RDE panel: controls, the mask and the masked input, live plots and the teaching strip. */
export function RdePanel() {
  // Narrow subscriptions: the streamed trace, mask and progress re-render only their own parts.
  const settings = useStudio((s) => s.rde.settings);
  const running = useStudio((s) => rdeStatus(s.rde) === 'running');
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
      <Formula description={method.description} />
      {unavailable && <p role="alert" className="error">{unavailable}</p>}
      {!classification && !unavailable && <p className="hint">The mask appears once there is an input.</p>}
      {classification && !unavailable && (
        <div className="rde-grid">
          <form className="rde-controls" onSubmit={(e) => { e.preventDefault(); void runRde(); }} aria-label="RDE settings">
            <span className="control-label"><label htmlFor="rde-lambda-slider">λ (rate weight)</label> <HelpTip descriptor={FIELDS.lambda} /></span>
            <div className="control-row">
              <input id="rde-lambda-slider" type="range" min={LOG_MIN} max={LOG_MAX} step={0.1} data-testid="rde-lambda-slider"
                value={Math.log10(Math.max(settings.lambda, 10 ** LOG_MIN))}
                aria-valuetext={`λ = ${formatNumber(settings.lambda)}`}
                aria-describedby="rde-lambda-keys"
                onKeyDown={(e) => {
                  // Page keys move a decade (arrows a tenth of one, the slider's step).
                  if (e.key !== 'PageUp' && e.key !== 'PageDown') return;
                  e.preventDefault();
                  const log = Math.log10(Math.max(settings.lambda, 10 ** LOG_MIN)) + (e.key === 'PageUp' ? 1 : -1);
                  setRdeSettings({ lambda: Number((10 ** Math.min(LOG_MAX, Math.max(LOG_MIN, log))).toPrecision(3)) });
                }}
                onChange={(e) => setRdeSettings({ lambda: Number((10 ** Number(e.currentTarget.value)).toPrecision(3)) })} />
              <NumberField name="lambda" value={settings.lambda} onCommit={(lambda) => setRdeSettings({ lambda })} />
            </div>
            <span id="rde-lambda-keys" className="sr-only">Arrow keys change λ by a tenth of a decade, Page Up and Page Down by a decade.</span>
            <span className="control-label"><label htmlFor="rde-rate-term">{FIELDS.regulariser.label}</label> <HelpTip descriptor={FIELDS.regulariser} /></span>
            <select id="rde-rate-term" value={settings.regulariser} data-testid="rde-regulariser"
              onChange={(e) => setRdeSettings({ regulariser: e.currentTarget.value as RateTerm })}>
              {optionsOf(FIELDS.regulariser)}
            </select>
            <span className="control-label"><label htmlFor="rde-rank">{FIELDS.rank.label} (0 = diagonal)</label> <HelpTip descriptor={FIELDS.rank} /></span>
            <div className="control-row">
              <input id="rde-rank" type="range" min={0} max={Math.min(maxRank, numeric('rank').max ?? maxRank)} step={1} value={Math.min(settings.rank, maxRank)} data-testid="rde-rank"
                onChange={(e) => setRdeSettings({ rank: Number(e.currentTarget.value) })} />
              <output htmlFor="rde-rank" className="num">{settings.rank}</output>
            </div>
            <span className="control-label"><label htmlFor="rde-mode">{FIELDS.mode.label}</label> <HelpTip descriptor={FIELDS.mode} /></span>
            <select id="rde-mode" value={settings.mode} data-testid="rde-mode"
              onChange={(e) => setRdeSettings({ mode: e.currentTarget.value as RdeParams['mode'] })}>
              {optionsOf(FIELDS.mode)}
            </select>
            {settings.mode !== 'mc' && (
              <div className="control-row">
                <label className="inline">{FIELDS.refine.label}
                  <NumberField name="refine" value={settings.refine} onCommit={(refine) => setRdeSettings({ refine })} />
                </label>
                <HelpTip descriptor={FIELDS.refine} />
              </div>
            )}
            {(settings.mode === 'mc' || settings.refine > 0) && (
              <label className="inline">{FIELDS.samples.label}
                <NumberField name="samples" value={settings.samples} onCommit={(samples) => setRdeSettings({ samples })} />
              </label>
            )}
            <div className="control-row">
              <label className="inline">{FIELDS.iterations.label}
                <NumberField name="iterations" value={settings.iterations} onCommit={(iterations) => setRdeSettings({ iterations })} />
              </label>
              <HelpTip descriptor={FIELDS.iterations} />
              <label className="inline">{FIELDS.s0.label}
                <NumberField name="s0" value={settings.s0} onCommit={(s0) => setRdeSettings({ s0 })} />
              </label>
              <HelpTip descriptor={FIELDS.s0} />
            </div>
            <span className="control-label" id="rde-plateau-label">{FIELDS.plateau.label}: stop when F falls by less than this fraction over 10 iterations (0 = use the whole budget) <HelpTip descriptor={FIELDS.plateau} /></span>
            <NumberField name="plateau" value={settings.plateau} onCommit={(plateau) => setRdeSettings({ plateau })} />
            <label htmlFor="rde-class">Explained class</label>
            <select id="rde-class" value={override === null ? 'predicted' : String(override)} data-testid="rde-class"
              onChange={(e) => setTarget(e.currentTarget.value === 'predicted' ? null : Number(e.currentTarget.value))}>
              <option value="predicted">Predicted ({model.classes[classification.predicted]})</option>
              {model.classes.map((c, k) => <option key={c} value={k}>{c}</option>)}
            </select>
            <p className="mode-label" data-testid="rde-mode-label">{modeLabel(settings)}</p>
            <RunEstimate settings={settings} />
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
