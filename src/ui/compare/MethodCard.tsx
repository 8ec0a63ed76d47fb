import type { MethodInfo } from '../../worker/protocol';
import type { CompareRun } from '../../store/compareSlice';
import type { DisplayMap } from '../../store/compareDisplay';
import type { MapScale } from '../mapScale';
import { paramValue } from '../../core/methods/params';
import { cancelCompareRun, resetCompareParams, runCompareMethod, setCompareParam } from '../../store/compareActions';
import { BACKEND_LABELS, type BackendName } from '../../core/tf/backendNames';
import { Heatmap } from '../Heatmap';
import { Legend } from '../Legend';
import { ParamField } from './ParamField';
import { useRunEstimate } from '../useRunEstimate';
import { RunProgress } from '../RunProgress';
import { rdeParams } from '../../core/rde/params';
import { rdeFormula } from '../../core/rde/rateTerm';
import { CHECK_MEANING, checkText, formatValue, passesText } from './format';
import { DistortionCheck } from '../DistortionCheck';

const MAP_SIZE = 240;
/** Forms this short start open; longer ones (Shapley, LIME, RDE) start folded to keep the grid's rows short. */
const OPEN_PARAMS = 6;

function statusText(run: CompareRun | undefined, cost: MethodInfo['cost']): string {
  if (!run) return cost === 'cheap' ? 'Waiting for an input.' : 'Runs when you press Run.';
  switch (run.status) {
    case 'queued': return 'Waiting for its turn in the worker…';
    case 'running': return run.cancelling ? 'Cancelling…' : 'Computing…';
    case 'cancelled': return run.relevance ? 'Cancelled; the map shown is the previous one.' : 'Cancelled.';
    case 'error': return 'Failed.';
    case 'done': return `${run.reusedFrom ? `From ${run.reusedFrom} (same parameters and class): ` : ''}${run.milliseconds?.toFixed(0)} ms on ${BACKEND_LABELS[run.backend as BackendName] ?? run.backend}${run.passes ? ` · ${passesText(run.passes)}` : ''}`;
  }
}

/** Whether the map was computed with other parameters than the form holds (expensive methods wait for Run). */
function isStale(run: CompareRun | undefined, edited: Record<string, unknown> | undefined): boolean {
  return run?.status === 'done' && JSON.stringify(run.requested) !== JSON.stringify(edited ?? {});
}

/** One method of the grid: its map, its numbers and its parameters, editable in place. */
export function MethodCard({ method, run, map, scale, edited, classLabel }: {
  method: MethodInfo; run: CompareRun | undefined; map: DisplayMap | undefined; scale: MapScale | undefined;
  edited: Record<string, unknown> | undefined; classLabel: string;
}) {
  const titleId = `compare-title-${method.id}`;
  const busy = run?.status === 'running' || run?.status === 'queued';
  const estimate = useRunEstimate(method.id, edited ?? {}, method.available && method.cost === 'expensive' && !busy);
  // RDE's objective depends on its rate term: the card shows the one its parameters choose.
  const formula = method.id === 'rde' ? rdeFormula(rdeParams.shape.regulariser.safeParse(edited?.regulariser).data ?? 'reference') : method.formula;
  return (
    <article className="compare-card" aria-labelledby={titleId} data-testid={`compare-card-${method.id}`}>
      <h3 id={titleId}>{method.label}</h3>
      <p className="formula compare-formula" data-testid={`compare-formula-${method.id}`}>{formula}</p>
      {!method.available && <p className="error">{method.reason}</p>}
      <div className="compare-map">
        {map && scale
          ? <Heatmap values={map.values} width={map.width} height={map.height} scale={scale} size={MAP_SIZE}
              label={`${method.label} relevance map for class ${classLabel}`} testId={`compare-map-${method.id}`} />
          : <div className="placeholder compare-placeholder" style={{ width: MAP_SIZE, height: MAP_SIZE }} />}
      </div>
      {map && scale && (
        <>
          <p className="compare-map-caption" data-testid={`compare-map-caption-${method.id}`}>{scale.caption}</p>
          <Legend scale={scale} min={map.min} max={map.max} testId="compare-legend" suffix={`-${method.id}`} compact format={formatValue} />
        </>
      )}
      <div className="compare-status">
        {/* Announced on changes of state only; the bar carries the percentage for assistive technology. */}
        <p aria-live="polite" data-testid={`compare-status-${method.id}`}>{statusText(run, method.cost)}</p>
        {busy && (
          <RunProgress progress={run.status === 'running' ? run.progress : null} label={`${method.label} progress`}
            testId={`compare-progress-${method.id}`} percentTestId={`compare-percent-${method.id}`} />
        )}
        {run?.check && run.status === 'done' && (
          <p className="compare-check" data-testid={`compare-check-${method.id}`} title={CHECK_MEANING[run.check.axiom]}>
            {checkText(run.check)}
          </p>
        )}
        {method.id === 'rde' && run?.status === 'done' && run.params && typeof run.extras?.distortion === 'number' && (
          <p className="compare-check"><DistortionCheck distortion={run.extras.distortion} target={run.target} params={run.params} backend={run.backend ?? ''} testId="compare-rde-check" /></p>
        )}
        {estimate && <p className="hint" data-testid={`compare-estimate-${method.id}`}>A run takes {estimate} here.</p>}
        {isStale(run, edited) && <p className="hint">Parameters changed since this map: press Run to update it.</p>}
        {run?.status === 'error' && <p className="error" data-testid={`compare-error-${method.id}`}>{run.error}</p>}
      </div>
      {method.available && (
        <div className="control-row">
          {(method.cost === 'expensive' || run?.status === 'error' || run?.status === 'cancelled') && (
            <button type="button" onClick={() => runCompareMethod(method.id)} disabled={busy} data-testid={`compare-run-${method.id}`}>
              Run {method.label}
            </button>
          )}
          {busy && <button type="button" onClick={() => cancelCompareRun(method.id)} disabled={run.cancelling} data-testid={`compare-cancel-${method.id}`}>Cancel {method.label}</button>}
        </div>
      )}
      {method.params.length > 0 && (
        <details className="compare-params" open={method.params.length <= OPEN_PARAMS}>
          <summary data-testid={`compare-params-${method.id}`}>Parameters ({method.params.length})</summary>
          {method.params.map((d) => (
            <ParamField key={d.name} methodId={method.id} descriptor={d} value={paramValue(d, edited)}
              onCommit={(v) => setCompareParam(method.id, d.name, v)} />
          ))}
          <button type="button" onClick={() => resetCompareParams(method.id)} disabled={!edited}
            aria-label={`Default parameters for ${method.label}`}>Defaults</button>
        </details>
      )}
    </article>
  );
}
