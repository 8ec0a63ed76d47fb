import { useMemo } from 'react';
import { reduceChannels } from '../core/image/display';
import { useStudio } from '../store/studioStore';
import { ClassScores } from './ClassScores';
import { Heatmap } from './Heatmap';

/**
 * The model's input is drawn as the model reads it: 0 black, 1 white (MNIST: light ink on a
 * dark ground), whatever the polarity of the image given, which the caption names.
 */
function seenCaption(width: number, height: number, polarity: string | undefined): string {
  const given = polarity === 'dark-on-light' ? ' · given dark-on-light, inverted'
    : polarity === 'light-on-dark' ? ' · given light-on-dark, kept' : '';
  return `${width} x ${height} as the model reads it: 0 black to 1 white${given}`;
}

/** The image as given, the image as the model sees it, and the model's verdict. */
export function InputView() {
  const input = useStudio((s) => s.input);
  const classification = useStudio((s) => s.classification);
  const classes = useStudio((s) => s.model?.classes);
  const seen = useMemo(() => {
    if (!classification) return null;
    const [h, w, c] = classification.shape;
    const gray = c === 1 ? classification.pixels : reduceChannels(classification.pixels, [1, h, w, c]).values.map((v) => v / c);
    return { values: gray, width: w, height: h };
  }, [classification]);
  return (
    <section className="panel" aria-labelledby="view-title">
      <h2 id="view-title">What the model sees</h2>
      {!input || !classification || !seen ? (
        <p className="hint">Give the studio a digit: drop, choose, paste, draw, or click a test digit.</p>
      ) : (
        <>
          <div className="pair">
            <figure>
              <img src={input.previewUrl} alt={`Input: ${input.source}`} className="preview" data-testid="input-preview" />
              <figcaption>{input.source} · {input.width} x {input.height}</figcaption>
            </figure>
            <figure>
              <Heatmap values={seen.values} width={seen.width} height={seen.height} limit={1} size={160} palette="gray"
                label={`The preprocessed ${seen.width} x ${seen.height} input`} testId="model-input" />
              <figcaption data-testid="model-input-caption">{seenCaption(seen.width, seen.height, classification.polarity)}</figcaption>
            </figure>
          </div>
          <p className="verdict" data-testid="prediction" aria-live="polite">
            Predicted class <strong data-testid="predicted-class">{classes?.[classification.predicted]}</strong>
            {' '}({(classification.probabilities[classification.predicted] * 100).toFixed(1)}%)
          </p>
          <ClassScores />
        </>
      )}
    </section>
  );
}
