import { useEffect, useId, useMemo, useRef, useState, type PointerEvent, type ReactNode } from 'react';
import { ATTACK_FIELDS, attackParams, isDifferentiableMethod } from '../../core/attacks/params';
import { pixelMagnitude } from '../../core/attacks/metrics';
import { paramValue } from '../../core/methods/params';
import { LOGIT_SHARE, unitOfRun } from '../../core/methods/units';
import { reduceChannels } from '../../core/image/display';
import { useStudio } from '../../store/studioStore';
import { estimateRun } from '../../store/actions';
import { attackRange, attackTimingKey, epsilonInUnits, guessPerIteration, MAX_EPSILON_255, perturbation, targetRegionProblem, type AttackState } from '../../store/attackSlice';
import {
  attackProblem, cancelAttack, chooseAttackMethod, openAttack, resetAttackSettings, runAttackPanel, setAttackEpsilon, setAttackSetting, setTargetRegion,
} from '../../store/attackActions';
import type { PixelBox } from '../../worker/protocol';
import { ParamField } from '../compare/ParamField';
import { Heatmap } from '../Heatmap';
import { Legend } from '../Legend';
import { RunProgress } from '../RunProgress';
import { mapScale, type MapScale } from '../mapScale';
import { duration } from '../useRunEstimate';
import { AttackTrace } from './AttackTrace';

const SIZE = 132;
/** The settings under "More settings" (the attack, ε and the iterations are always shown). */
const MORE = ['kind', 'step', 'k', 'beta', 'gamma', 'halvings', 'seed'] as const;

function gray(pixels: Float32Array, [h, w, c]: [number, number, number], [lo, hi]: [number, number]): Float32Array {
  const one = c === 1 ? pixels : reduceChannels(pixels, [1, h, w, c]).values.map((v) => v / c);
  return one.map((v) => (hi > lo ? (v - lo) / (hi - lo) : v));
}

const pct = (p: number) => `${(p * 100).toFixed(1)} %`;

/** The ε field: a multiple of 1/255 of the input range, with the value in input units beside it. */
function EpsilonField({ value, range, disabled }: { value: number; range: [number, number]; disabled: boolean }) {
  const id = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const parsed = Number(text.includes('/') ? text.split('/')[0] : text);
  const checked = text.trim() === '' ? { problem: 'Give ε as a number of 1/255 steps of the input range.' } : epsilonInUnits(parsed, range);
  const commit = () => { if ('epsilon' in checked && parsed !== value) setAttackEpsilon(parsed); };
  return (
    <div className="param-field">
      <label htmlFor={id}>ε (× 1/255 of the range)</label>
      <input id={id} type="text" inputMode="decimal" value={text} disabled={disabled} data-testid="attack-epsilon"
        aria-describedby={`${id}-about`} aria-invalid={'problem' in checked}
        onChange={(e) => setText(e.currentTarget.value)} onBlur={commit} onKeyDown={(e) => { if (e.key === 'Enter') commit(); }} />
      {'problem' in checked
        ? <span id={`${id}-about`} role="alert" className="error" data-testid="attack-epsilon-problem">{checked.problem}</span>
        : (
          <span id={`${id}-about`} className="param-about" data-testid="attack-epsilon-units">
            {parsed}/255 of [{range[0]}, {range[1]}] = {checked.epsilon.toPrecision(3)} in input units ({pct(checked.epsilon / (range[1] - range[0]))} of the range); at most {MAX_EPSILON_255}/255
          </span>
        )}
    </div>
  );
}

/** The targeted attack's box: four whole-pixel fields, and a drag on the input image to paint it. */
function TargetBoxFields({ box, height, width, disabled }: { box: PixelBox; height: number; width: number; disabled: boolean }) {
  const id = useId();
  const fields: Array<[keyof PixelBox, string, number]> = [['x0', 'x from', width], ['x1', 'x to', width], ['y0', 'y from', height], ['y1', 'y to', height]];
  const problem = targetRegionProblem(box, height, width);
  return (
    <fieldset className="attack-box">
      <legend>Target box (pixels, half-open; or drag on the input)</legend>
      {fields.map(([name, label, max]) => (
        <label key={name} htmlFor={`${id}-${name}`}>
          {label}
          <input id={`${id}-${name}`} type="number" min={0} max={max} step={1} value={box[name]} disabled={disabled} data-testid={`attack-box-${name}`}
            onChange={(e) => { const v = Number(e.currentTarget.value); if (e.currentTarget.value !== '' && Number.isFinite(v)) setTargetRegion({ ...box, [name]: Math.round(v) }); }} />
        </label>
      ))}
      {problem && <p role="alert" className="error" data-testid="attack-box-problem">{problem}</p>}
    </fieldset>
  );
}

/** An image with the target box drawn over it; dragging paints a new box. */
function BoxPainter({ children, box, height, width, enabled }: { children: ReactNode; box: PixelBox | null; height: number; width: number; enabled: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const [anchor, setAnchor] = useState<{ x: number; y: number } | null>(null);
  const pixelAt = (e: PointerEvent) => {
    const r = ref.current!.getBoundingClientRect();
    return {
      x: Math.min(width - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * width))),
      y: Math.min(height - 1, Math.max(0, Math.floor(((e.clientY - r.top) / r.height) * height))),
    };
  };
  const paint = (a: { x: number; y: number }, b: { x: number; y: number }) => setTargetRegion({
    x0: Math.min(a.x, b.x), x1: Math.max(a.x, b.x) + 1, y0: Math.min(a.y, b.y), y1: Math.max(a.y, b.y) + 1,
  });
  return (
    <div ref={ref} className={enabled ? 'attack-painter painting' : 'attack-painter'}
      onPointerDown={enabled ? (e) => { e.currentTarget.setPointerCapture(e.pointerId); const p = pixelAt(e); setAnchor(p); paint(p, p); } : undefined}
      onPointerMove={enabled && anchor ? (e) => paint(anchor, pixelAt(e)) : undefined}
      onPointerUp={enabled ? () => setAnchor(null) : undefined}>
      {children}
      {box && (
        <div className="attack-box-overlay" data-testid="attack-box-overlay" aria-hidden="true" style={{
          left: `${(Math.max(0, box.x0) / width) * 100}%`, top: `${(Math.max(0, box.y0) / height) * 100}%`,
          width: `${((Math.min(width, box.x1) - Math.max(0, box.x0)) / width) * 100}%`, height: `${((Math.min(height, box.y1) - Math.max(0, box.y0)) / height) * 100}%`,
        }} />
      )}
    </div>
  );
}

function MapFigure({ values, width, height, scale, label, caption, testId }: {
  values: Float32Array | null; width: number; height: number; scale: MapScale; label: string; caption: ReactNode; testId: string;
}) {
  return (
    <figure className="attack-figure">
      {values
        ? <Heatmap values={values} width={width} height={height} scale={scale} size={SIZE} label={label} testId={testId} />
        : <div className="placeholder" style={{ width: SIZE, height: SIZE }} aria-hidden="true" />}
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

function ImageFigure({ values, width, height, label, caption, testId }: {
  values: Float32Array | null; width: number; height: number; label: string; caption: ReactNode; testId: string;
}) {
  return (
    <figure className="attack-figure">
      {values
        ? <Heatmap values={values} width={width} height={height} palette="gray" size={SIZE} label={label} testId={testId} />
        : <div className="placeholder" style={{ width: SIZE, height: SIZE }} aria-hidden="true" />}
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

function MetricsTable({ attack, classes }: { attack: AttackState; classes: string[] }) {
  const last = attack.trace[attack.trace.length - 1];
  const best = attack.best;
  const random = attack.baseline;
  // While running: the latest iterate; once done: the strongest one.
  const shown = best ? { ...best.metrics, labelKept: best.labelKept, linf: best.linf as number | null } : last ? { ...last, linf: null } : null;
  const f = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '–' : v.toFixed(digits));
  const rows: Array<[string, string, string]> = [
    ['top-k intersection', f(shown?.topkIntersection), f(random?.metrics.topkIntersection)],
    ['Spearman rank correlation', f(shown?.spearman), f(random?.metrics.spearman)],
    ['SSIM of |R|', f(shown?.ssim), f(random?.metrics.ssim)],
    ['centre-of-mass shift (px)', f(shown?.massCentreShift, 2), f(random?.metrics.massCentreShift, 2)],
    ['class', best ? `${classes[best.predicted]} (${best.labelKept ? 'kept' : 'changed'})` : shown ? (shown.labelKept ? 'kept' : 'changed') : '–',
      random ? `${classes[random.predicted]} (${random.labelKept ? 'kept' : 'changed'})` : '–'],
    ['‖δ‖∞', f(shown?.linf, 4), f(random?.linf, 4)],
  ];
  return (
    <table className="auc-table attack-table" data-testid="attack-metrics">
      <caption>Against the map at x (1 = unchanged; k = {attack.start?.k ?? '–'} pixels)</caption>
      <thead><tr><th scope="col">measure</th><th scope="col">{best ? `attack (best, iteration ${best.iteration})` : 'attack (latest)'}</th><th scope="col">random signs, same ε</th></tr></thead>
      <tbody>
        {rows.map(([name, a, r]) => (
          <tr key={name}><th scope="row">{name}</th><td data-testid={`attack-metric-${name.split(' ')[0]}`}>{a}</td><td data-testid={`attack-random-${name.split(' ')[0]}`}>{r}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The attack panel (issue 15; seeds/004, METHODS.md §6): pick a method, an attack, ε and the
 * iterations, and watch an imperceptible perturbation that keeps the class move the method's
 * map, against random signs at the same ε.
 */
export function AttackPanel() {
  const attack = useStudio((s) => s.attack);
  const model = useStudio((s) => s.model);
  const classification = useStudio((s) => s.classification);
  const gridParams = useStudio((s) => s.compare.params[s.attack.methodId]);
  const ready = useStudio((s) => s.backendStatus === 'ready');
  const backend = useStudio((s) => s.backend?.active);
  const selectId = useId();
  const { run, start, baseline, best, current, trace } = attack;
  const busy = run?.status === 'running' || run?.status === 'queued';
  const settings = useMemo(() => attackParams.parse({ ...attack.settings, epsilon: 1 }), [attack.settings]);
  const methods = useMemo(() => (model?.methods ?? []).filter((m) => m.available), [model]);
  const method = methods.find((m) => m.id === attack.methodId);
  const smoothProblem = model?.smoothProblem ?? null;
  const searchKind = settings.kind === 'auto' ? (isDifferentiableMethod(attack.methodId) && !smoothProblem ? 'gradient' : 'black-box') : settings.kind;
  const [mapMs, setMapMs] = useState<number | null>(null);
  const paramsKey = JSON.stringify(gridParams ?? {});
  useEffect(() => {
    if (!attack.open || !classification || !ready || busy) return;
    let live = true;
    void estimateRun(attack.methodId, JSON.parse(paramsKey) as Record<string, unknown>).then((e) => { if (live) setMapMs(e ? e.milliseconds : null); });
    return () => { live = false; };
  }, [attack.open, attack.methodId, paramsKey, classification, ready, busy]);

  const view = useMemo(() => {
    if (!classification || !model) return null;
    const shape = classification.shape;
    const [h, w, c] = shape;
    const range = attackRange(model.inputRange, classification.pixels);
    const after = best ?? (current ? { attacked: current.attacked, map: current.map } : null);
    // Σ_c |R| per pixel, what every measure compares (the core's own function).
    const maps = [start?.mapBefore, after?.map, baseline?.map].map((m) => (m ? Float32Array.from(pixelMagnitude(m, shape)) : null));
    const limit = Math.max(1e-30, ...maps.flatMap((m) => (m ? [m.reduce((a, b) => Math.max(a, b), 0)] : [])));
    const unit = method ? unitOfRun(method.unit, gridParams) : LOGIT_SHARE;
    const scale = mapScale({ unit, sign: 'absolute', normalisation: 'shared', sharedBy: maps.filter(Boolean).length || 1, limit });
    const eps = epsilonInUnits(attack.epsilon255, range);
    const epsilon = 'epsilon' in eps ? eps.epsilon : 0;
    const deltaOf = (x: Float32Array | undefined) => (x ? perturbation(x, classification.pixels, c).delta : null);
    const deltaScale: MapScale = { ...mapScale({ unit: LOGIT_SHARE, sign: 'all', normalisation: 'per-map', limit: epsilon || 1 }) };
    return {
      h, w, shape, range, epsilon, maps, scale, limit, deltaScale,
      input: gray(classification.pixels, shape, range),
      attacked: after ? gray(after.attacked, shape, range) : null,
      delta: deltaOf(after?.attacked),
      random: baseline ? gray(baseline.attacked, shape, range) : null,
    };
  }, [classification, model, best, current, start, baseline, method, gridParams, attack.epsilon255]);

  if (!model || !classification || !view) return null;
  const problem = attackProblem();
  const label = method?.label ?? attack.methodId;
  const classes = model.classes;
  const kept = start ? classes[start.label] : classes[classification.predicted];
  const afterCaption = best ? `x + δ, best iterate (${best.iteration}): ${classes[best.predicted]} ${pct(best.probabilities[best.predicted])}`
    : current ? `x + δ at iteration ${current.iteration}` : 'x + δ';
  const iterationsShown = (run?.requested.iterations as number | undefined) ?? settings.iterations;
  const measured = attack.perIteration[attackTimingKey(attack.methodId, searchKind, backend)];
  const perIteration = measured ?? (mapMs !== null ? guessPerIteration(mapMs, searchKind) : null);

  return (
    <section className="panel attack" aria-labelledby="attack-title" data-testid="panel-attack" id="attack-view">
      <div className="compare-head">
        <h2 id="attack-title">Attack the explanation: same class, different map?</h2>
        <button type="button" aria-expanded={attack.open} aria-controls={attack.open ? 'attack-body' : undefined} data-testid="attack-open"
          onClick={() => openAttack(!attack.open)}>
          {attack.open ? 'Hide the attack' : 'Open the attack panel'}
        </button>
      </div>
      {attack.open && (
        <div id="attack-body">
          <p className="hint evaluate-about">
            Change every input component by at most ε, keep the predicted class ({kept}), and move the map as far as possible
            (Ghorbani et al. 2019; Dombrowski et al. 2019). Random signs at the same ε show what noise alone does.
          </p>
          <div className="attack-grid">
            <div className="attack-side">
              <fieldset className="evaluate-settings attack-settings">
                <legend>Attack settings</legend>
                <div className="param-field">
                  <label htmlFor={selectId}>Method attacked</label>
                  <select id={selectId} value={attack.methodId} disabled={busy} data-testid="attack-method" onChange={(e) => chooseAttackMethod(e.currentTarget.value)}>
                    {methods.map((m) => <option key={m.id} value={m.id}>{m.label}</option>)}
                  </select>
                  <span className="param-about" data-testid="attack-search">
                    {searchKind === 'gradient'
                      ? `Gradient attack: signed steps on the map of the network with softplus (β ${settings.beta}) in place of ReLU; the map shown is the real network's.`
                      : `Black-box random search: each step calls the method itself and is kept only when it moves the map further.${
                        isDifferentiableMethod(attack.methodId) && smoothProblem ? ` The gradient attack is not available on this model: ${smoothProblem}.` : ''}`}
                  </span>
                </div>
                <ParamField methodId="attack" descriptor={ATTACK_FIELDS.attack} value={paramValue(ATTACK_FIELDS.attack, attack.settings)} onCommit={(v) => setAttackSetting('attack', v)} />
                <EpsilonField value={attack.epsilon255} range={view.range} disabled={busy} />
                <ParamField methodId="attack" descriptor={ATTACK_FIELDS.iterations} value={paramValue(ATTACK_FIELDS.iterations, attack.settings)} onCommit={(v) => setAttackSetting('iterations', v)} />
                {settings.attack === 'targeted' && <TargetBoxFields box={attack.targetRegion} height={view.h} width={view.w} disabled={busy} />}
                <details className="attack-more">
                  <summary>More settings</summary>
                  {MORE.map((name) => (
                    <ParamField key={name} methodId="attack" descriptor={ATTACK_FIELDS[name]} value={paramValue(ATTACK_FIELDS[name], attack.settings)} onCommit={(v) => setAttackSetting(name, v)} />
                  ))}
                </details>
                <button type="button" onClick={resetAttackSettings} disabled={busy}>Default settings</button>
              </fieldset>
              <p className="hint" data-testid="attack-estimate">
                {label} with the grid&apos;s parameters{perIteration !== null
                  ? `: ≈ ${duration(perIteration * settings.iterations)} for ${settings.iterations} iterations (${measured !== undefined
                    ? `the last attack on it here took ${duration(measured)} per iteration`
                    : `a first guess from one map's ${duration(mapMs!)}: ${searchKind === 'gradient' ? 'the step differentiates the smooth map again, ≈ 6 maps' : 'a map and a classification per step'}`}).`
                  : '.'}
              </p>
              {problem && <p role="alert" className="error" data-testid="attack-problem">{problem}</p>}
              <div className="control-row">
                <button type="button" onClick={() => void runAttackPanel()} disabled={busy || problem !== null || !ready} data-testid="attack-run">Run the attack</button>
                {busy && <button type="button" onClick={() => void cancelAttack()} disabled={run.cancelling} data-testid="attack-cancel">Cancel the attack</button>}
              </div>
              {busy && <RunProgress progress={run.progress} label="Attack progress" testId="attack-progress" />}
              <p aria-live="polite" className="meta" data-testid="attack-status">
                {run?.status === 'done' ? `Done: ${trace.length} iterations in ${((run.milliseconds ?? 0) / 1000).toFixed(1)} s on ${run.backend}.`
                  : run?.status === 'cancelled' ? `Cancelled after ${trace.length} iterations; what was measured stays.`
                    : run?.cancelling ? 'Cancelling…' : busy ? `Attacking ${label}… ${trace.length} of ${iterationsShown} iterations` : ''}
              </p>
              {run?.status === 'error' && <p role="alert" className="error" data-testid="attack-error">{run.error}</p>}
            </div>
            <div className="attack-main">
              <div className="attack-figures" role="group" aria-label="The input and the map before and after the attack, and with random signs">
                <figure className="attack-figure">
                  <BoxPainter box={settings.attack === 'targeted' ? attack.targetRegion : null} height={view.h} width={view.w} enabled={settings.attack === 'targeted' && !busy}>
                    <Heatmap values={view.input} width={view.w} height={view.h} palette="gray" size={SIZE} label="The input x" testId="attack-input" />
                  </BoxPainter>
                  <figcaption>x: {classes[classification.predicted]} {pct(classification.probabilities[classification.predicted])}</figcaption>
                </figure>
                <ImageFigure values={view.attacked} width={view.w} height={view.h} label="The attacked input x + δ" testId="attack-attacked" caption={afterCaption} />
                <figure className="attack-figure">
                  {view.delta
                    ? <Heatmap values={view.delta} width={view.w} height={view.h} scale={view.deltaScale} size={SIZE} label={`The perturbation δ, blue −ε to red +ε`} testId="attack-delta" />
                    : <div className="placeholder" style={{ width: SIZE, height: SIZE }} aria-hidden="true" />}
                  <figcaption data-testid="attack-delta-caption">δ amplified ×{view.epsilon > 0 ? Math.round(1 / view.epsilon) : '–'}: blue −ε, red +ε (ε = {view.epsilon.toPrecision(3)})</figcaption>
                </figure>
                <ImageFigure values={view.random} width={view.w} height={view.h} label="The input with random signs, x + ε·s" testId="attack-random-input"
                  caption={baseline ? `random signs: ${classes[baseline.predicted]} ${pct(baseline.probabilities[baseline.predicted])}` : 'random signs x + ε·s'} />
                <MapFigure values={view.maps[0]} width={view.w} height={view.h} scale={view.scale} label={`|R| of ${label} at x`} testId="attack-map-before"
                  caption={`|R| at x${start ? ` (class ${classes[start.label]})` : ''}`} />
                <MapFigure values={view.maps[1]} width={view.w} height={view.h} scale={view.scale} label={`|R| of ${label} at x + δ`} testId="attack-map-after"
                  caption={best ? `|R| at the best x + δ` : current ? `|R| at iteration ${current.iteration}` : '|R| at x + δ'} />
                <div className="attack-legend">
                  <Legend scale={view.scale} min={0} max={view.limit} testId="attack-legend" compact />
                </div>
                <MapFigure values={view.maps[2]} width={view.w} height={view.h} scale={view.scale} label={`|R| of ${label} with random signs`} testId="attack-map-random"
                  caption="|R| with random signs" />
              </div>
              <div className="attack-results">
                <AttackTrace trace={trace} iterations={iterationsShown} random={baseline} />
                <MetricsTable attack={attack} classes={classes} />
              </div>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
