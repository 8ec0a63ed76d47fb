import { useMemo } from 'react';
import { curveSettings } from '../../core/evaluate/curve';
import { randomMapMethod } from '../../core/evaluate/randomMap';
import type { CurveProtocol } from '../../core/evaluate/types';
import { paramDescriptors, paramValue } from '../../core/methods/params';
import { useStudio, selectTarget } from '../../store/studioStore';
import { aucRows, BASELINE_METHOD, evaluationMethodIds } from '../../store/evaluateSlice';
import { cancelEvaluation, openEvaluate, resetEvaluateSettings, runEvaluation, setEvaluateSetting } from '../../store/evaluateActions';
import { ParamField } from '../compare/ParamField';
import { RunProgress } from '../RunProgress';
import { CurvePlot, type CurveSeries } from '../plots/CurvePlot';
import { AucTable } from './AucTable';
import { SanityStrip } from './SanityStrip';
import { curveColour } from './palette';
import { useEvaluationEstimate } from './useEvaluationEstimate';

/** The curve settings' form fields, from the schema every surface validates with (the CLI's flags too). */
const SETTINGS = paramDescriptors(curveSettings);

/** The y axis: what the protocol measures, in its units (METHODS.md §2). */
const DISTORTION_TITLE: Record<CurveProtocol, string> = {
  studio: 'D = ½(Φ(x) − Φ(y))² (logit²)',
  paper: 'D = (p(y) − p(x))² (probability²)',
};

/**
 * The evaluate view: relevance-ordering curves of the comparison grid's selected methods and the
 * random baseline on the current input and class, the areas under them ranked, with the settings
 * form, the time estimate before a run, progress and cancel.
 */
export function EvaluatePanel() {
  const evaluate = useStudio((s) => s.evaluate);
  const compareOpen = useStudio((s) => s.compare.open);
  const selected = useStudio((s) => s.compare.selected);
  const model = useStudio((s) => s.model);
  const target = useStudio(selectTarget);
  const shape = useStudio((s) => s.classification?.shape);
  const { run, results, settings, used } = evaluate;
  const busy = run?.status === 'running' || run?.status === 'queued';
  const preview = useEvaluationEstimate(evaluate.open && compareOpen && !busy);
  // Before a run: the methods a run would take; after: those it took.
  const planned = useMemo(() => evaluationMethodIds(selected, model?.methods ?? []), [selected, model]);
  const ids = evaluate.methods.length ? evaluate.methods : planned;
  const labels = useMemo(() => Object.fromEntries([...new Set(ids.concat(planned))].map((id) => [id, id === BASELINE_METHOD ? randomMapMethod.label : model?.methods.find((m) => m.id === id)?.label ?? id])), [ids, planned, model]);
  const colours = useMemo(() => Object.fromEntries(ids.map((id, i) => [id, curveColour(i, id === BASELINE_METHOD)])), [ids]);
  const series: CurveSeries[] = useMemo(() => ids.map((id) => ({
    id, label: labels[id], colour: colours[id], dashed: id === BASELINE_METHOD, curve: results[id]?.curve ?? null,
  })), [ids, labels, colours, results]);
  const rows = useMemo(() => aucRows(evaluate), [evaluate]);
  if (!model || !compareOpen || !evaluate.open) return null;
  const shown = (used?.settings ?? { ...curveSettings.parse({}), ...settings }) as { protocol: CurveProtocol; maxRate: number };
  const classLabel = target !== null ? model.classes[target] : '–';
  return (
    <section className="panel evaluate" aria-labelledby="evaluate-title" data-testid="panel-evaluate" id="evaluate-view">
      <div className="compare-head">
        <h2 id="evaluate-title">Evaluate the maps: which keeps the score with the fewest components?</h2>
        <button type="button" onClick={() => openEvaluate(false)} data-testid="evaluate-close">Close the evaluation</button>
      </div>
      <p className="hint evaluate-about">
        Keep the k most relevant components of the input (class {classLabel}), fill the rest at random, and measure how far the score moves,
        averaged over N fillings; every map is measured on the same fillings. A faithful map keeps the score with few components: its curve falls fast.
      </p>
      <div className="evaluate-grid">
        <div className="evaluate-side">
          <fieldset className="evaluate-settings">
            <legend>Curve settings</legend>
            {SETTINGS.map((d) => (
              <ParamField key={d.name} methodId="evaluate" descriptor={d} value={paramValue(d, settings)} onCommit={(v) => setEvaluateSetting(d.name, v)} />
            ))}
            <button type="button" onClick={resetEvaluateSettings} disabled={!Object.keys(settings).length}>Default settings</button>
          </fieldset>
          <p className="meta" data-testid="evaluate-methods">
            Curves for {ids.map((id) => labels[id]).join(', ')}: the grid&apos;s selected methods with their parameters, and the random baseline.
            Maps the grid has finished are used; the others are computed first.
          </p>
          {preview.problem && <p role="alert" className="error" data-testid="evaluate-problem">{preview.problem}</p>}
          {preview.estimate && preview.text && !preview.problem && (
            <p className="hint" data-testid="evaluate-estimate">
              {preview.estimate.curves} curves × {preview.estimate.passesPerCurve.toLocaleString('en')} forward passes
              {preview.estimate.passes.backward > 0 || preview.estimate.passes.forward > preview.estimate.curves * preview.estimate.passesPerCurve ? ', and the maps still to compute' : ''}:
              a run takes {preview.text} here.
            </p>
          )}
          <div className="control-row">
            <button type="button" onClick={() => void runEvaluation()} disabled={busy || preview.problem !== null || target === null} data-testid="evaluate-run">
              Run the evaluation
            </button>
            {busy && <button type="button" onClick={() => void cancelEvaluation()} disabled={run.cancelling} data-testid="evaluate-cancel">Cancel the evaluation</button>}
          </div>
          {busy && <RunProgress progress={run.progress} label="Evaluation progress" testId="evaluate-progress" />}
          <p aria-live="polite" className="meta" data-testid="evaluate-status">
            {run?.status === 'done' ? `Done in ${((run.milliseconds ?? 0) / 1000).toFixed(1)} s on ${run.backend}.`
              : run?.status === 'cancelled' ? 'Cancelled; the points measured so far stay.'
                : run?.cancelling ? 'Cancelling…' : busy ? 'Measuring the curves…' : ''}
          </p>
          {run?.status === 'error' && <p role="alert" className="error" data-testid="evaluate-error">{run.error}</p>}
        </div>
        <CurvePlot series={series} maxRate={shown.maxRate} yTitle={DISTORTION_TITLE[shown.protocol]} />
      </div>
      <AucTable rows={rows} results={results} labels={labels} colours={colours} maxRate={shown.maxRate} />
      {shape && <SanityStrip sanity={evaluate.sanity} methods={planned} labels={labels} shape={shape} />}
    </section>
  );
}
