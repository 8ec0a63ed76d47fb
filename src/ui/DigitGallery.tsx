import { useEffect, useState } from 'react';

export interface BundledDigit {
  file: string;
  label: number;
  source: string;
  polarity: string;
}

/** The held-out test digits shipped with the studio, one click each. */
export function DigitGallery({ onPick }: { onPick: (digit: BundledDigit) => void }) {
  const [digits, setDigits] = useState<BundledDigit[]>([]);
  useEffect(() => {
    fetch(new URL('digits/index.json', document.baseURI))
      .then((r) => r.json() as Promise<BundledDigit[]>)
      .then(setDigits)
      .catch(() => setDigits([]));
  }, []);
  return (
    <div className="gallery" role="group" aria-label="Bundled held-out digits">
      {digits.map((d, k) => {
        const url = new URL(`digits/${d.file}`, document.baseURI).href;
        return (
          <button key={d.file} type="button" className="gallery-item" onClick={() => onPick(d)}
            aria-label={`Test digit ${d.label}, example ${k % 2 + 1}`} data-testid={`digit-${d.file}`}>
            <img src={url} alt="" width={40} height={40} />
          </button>
        );
      })}
    </div>
  );
}
