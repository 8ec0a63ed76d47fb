import { useMemo } from 'react';
import { useStudio } from '../store/studioStore';
import { drawObfuscations } from '../store/rdeActions';
import { Heatmap } from './Heatmap';
import { formatNumber } from './plots/Axis';

/**
 * For teaching: random obfuscations y = s ⊙ x + (1 − s) ⊙ n, n drawn from the reference
 * distribution, each with its score — what "randomising the non-relevant part" means.
 */
export function ObfuscationStrip() {
  const samples = useStudio((s) => s.rde.obfuscations);
  const shape = useStudio((s) => s.classification?.shape);
  // One stable view per sample, so a re-render of the panel does not redraw the strip.
  const images = useMemo(() => {
    if (!samples || !shape) return [];
    const d = shape[0] * shape[1] * shape[2];
    return Array.from({ length: samples.count }, (_, k) => samples.images.subarray(k * d, k * d + shape[0] * shape[1]));
  }, [samples, shape]);
  if (!samples || !shape) return null;
  const [h, w] = shape;
  return (
    <div className="strip" data-testid="rde-obfuscations">
      <h3>Random obfuscations y = s ⊙ x + (1 − s) ⊙ n, n ~ V, and their scores Φ(y) (Φ(x) = {formatNumber(samples.phiX)})</h3>
      <div className="strip-row">
        {images.map((values, k) => (
          <figure key={k}>
            <Heatmap values={values} width={w} height={h} limit={1} palette="ink" size={84}
              label={`Obfuscation ${k + 1}, score ${formatNumber(samples.scores[k])}`} />
            <figcaption data-testid="obfuscation-score">Φ = {formatNumber(samples.scores[k])}</figcaption>
          </figure>
        ))}
        <button type="button" onClick={() => void drawObfuscations()}>Draw again</button>
      </div>
    </div>
  );
}
