import { useMemo } from 'react';
import { useStudio, selectTarget } from '../../store/studioStore';
import { openCompare } from '../../store/compareActions';
import { openEvaluate } from '../../store/evaluateActions';
import { gridCaption, gridMaps } from './gridMaps';
import { CompareControls } from './CompareControls';
import { MethodCard } from './MethodCard';
import { SharedRanges } from './SharedRanges';

/**
 * The comparison view: any set of methods on the same input, model and class, one card each.
 * Closed, it computes nothing; opened, the cheap methods run one after another.
 */
export function ComparePanel() {
  const compare = useStudio((s) => s.compare);
  const model = useStudio((s) => s.model);
  const classification = useStudio((s) => s.classification);
  const target = useStudio(selectTarget);
  const evaluateOpen = useStudio((s) => s.evaluate.open);
  const { open, selected, runs, normalisation, sign, params } = compare;
  const methods = model?.methods;
  // Scales are memoised with the maps, so a card whose map did not change keeps its scale object and is not redrawn.
  const maps = useMemo(() => gridMaps(runs, selected, methods ?? [], normalisation, sign), [runs, selected, methods, normalisation, sign]);
  if (!model) return null;
  const classLabel = target !== null ? model.classes[target] : '–';
  const cards = model.methods.filter((m) => selected.includes(m.id));
  return (
    <section className="panel compare" aria-labelledby="compare-title" data-testid="panel-compare">
      <div className="compare-head">
        <h2 id="compare-title">Compare methods</h2>
        <button type="button" aria-expanded={open} aria-controls={open ? 'compare-body' : undefined} onClick={() => openCompare(!open)} data-testid="compare-toggle">
          {open ? 'Hide the comparison' : 'Show methods side by side'}
        </button>
      </div>
      {!open && <p className="hint">Lays any set of methods on the same input and model in a grid, each map with its time and its axiom check.</p>}
      {open && (
        <div id="compare-body">
          <CompareControls methods={model.methods} selected={selected} normalisation={normalisation} sign={sign} />
          <p className="compare-evaluate">
            <button type="button" aria-expanded={evaluateOpen} aria-controls={evaluateOpen ? 'evaluate-view' : undefined} data-testid="evaluate-open"
              onClick={() => {
                openEvaluate(!evaluateOpen);
                if (!evaluateOpen) requestAnimationFrame(() => document.getElementById('evaluate-view')?.scrollIntoView({ block: 'start' }));
              }}>
              {evaluateOpen ? 'Hide the evaluation' : 'Evaluate these maps: relevance-ordering curves'}
            </button>
            <span className="hint"> Which of the selected maps keeps the score with the fewest components, against a random map.</span>
          </p>
          {classification
            ? <p className="caption compare-caption" data-testid="compare-caption">
                Class {classLabel}: {gridCaption(sign)} Maps without a sign (the RDE mask, squared gradients) say so under their map. Cheap methods run at once; the others when you press Run.
              </p>
            : <p className="hint">The maps appear once there is an input.</p>}
          {normalisation === 'shared' && <SharedRanges maps={maps} methods={cards} />}
          <div className="compare-grid">
            {cards.map((m) => (
              <MethodCard key={m.id} method={m} run={runs[m.id]} map={maps[m.id]?.map} scale={maps[m.id]?.scale} edited={params[m.id]} classLabel={classLabel} />
            ))}
          </div>
        </div>
      )}
    </section>
  );
}
