import type { MethodInfo } from '../../worker/protocol';
import { NORMALISATIONS, SIGNS, type CompareNormalisation, type CompareSign } from '../../store/compareSlice';
import { selectCompareMethod, setCompareNormalisation, setCompareSign } from '../../store/compareActions';

/** Which methods are in the grid, and how their maps are scaled and signed. */
export function CompareControls({ methods, selected, normalisation, sign }: {
  methods: MethodInfo[]; selected: string[]; normalisation: CompareNormalisation; sign: CompareSign;
}) {
  return (
    <div className="compare-controls">
      <fieldset className="compare-methods">
        <legend>Methods in the grid</legend>
        {methods.map((m) => (
          <label key={m.id} className="toggle" title={m.available ? undefined : m.reason}>
            <input type="checkbox" checked={selected.includes(m.id)} disabled={!m.available}
              onChange={(e) => selectCompareMethod(m.id, e.currentTarget.checked)} data-testid={`compare-pick-${m.id}`} />
            {m.label}{!m.available ? <span className="cost"> (not for this model)</span> : m.cost === 'expensive' ? <span className="cost"> (on request)</span> : null}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Colour range</legend>
        {(Object.keys(NORMALISATIONS) as CompareNormalisation[]).map((n) => (
          <label key={n} className="toggle">
            <input type="radio" name="compare-normalisation" value={n} checked={normalisation === n}
              onChange={() => setCompareNormalisation(n)} data-testid={`compare-norm-${n}`} />
            {NORMALISATIONS[n]}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Sign</legend>
        {(Object.keys(SIGNS) as CompareSign[]).map((k) => (
          <label key={k} className="toggle">
            <input type="radio" name="compare-sign" value={k} checked={sign === k}
              onChange={() => setCompareSign(k)} data-testid={`compare-sign-${k}`} />
            {SIGNS[k]}
          </label>
        ))}
      </fieldset>
    </div>
  );
}
