import { useStudio } from '../store/studioStore';
import { setTarget } from '../store/actions';
import { BACKEND_LABELS } from '../core/tf/backendNames';

/** All class scores: softmax probability as a bar, the logit as a number, and the backend that computed them. */
export function ClassScores() {
  const classification = useStudio((s) => s.classification);
  const classes = useStudio((s) => s.model?.classes);
  const target = useStudio((s) => s.targetOverride);
  if (!classification || !classes) return null;
  const { predicted, probabilities, logits, backend } = classification;
  return (
    <table className="scores" data-testid="scores" aria-label="Class scores">
      <caption className="meta" data-testid="scores-backend">Scores computed on {BACKEND_LABELS[backend]}</caption>
      <thead>
        <tr><th scope="col">Class</th><th scope="col">Probability</th><th scope="col">Logit</th><th scope="col">Explain</th></tr>
      </thead>
      <tbody>
        {classes.map((name, k) => (
          <tr key={name} className={k === predicted ? 'predicted' : undefined} data-testid={`score-${k}`}>
            <th scope="row">{name}</th>
            <td>
              <span className="bar" style={{ width: `${Math.max(0.5, probabilities[k] * 100)}%` }} />
              <span className="value">{(probabilities[k] * 100).toFixed(1)}%</span>
            </td>
            <td className="num">{logits[k].toFixed(2)}</td>
            <td>
              <input
                type="radio"
                name="target-class"
                aria-label={`Explain class ${name}`}
                checked={(target ?? predicted) === k}
                onChange={() => setTarget(k === predicted ? null : k)}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
