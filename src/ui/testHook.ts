// A typed window hook for end-to-end tests: read numbers instead of guessing pixels.
import { useStudio } from '../store/studioStore';
import { workerMemory } from '../store/actions';
import { symmetricLimit } from '../core/image/display';

export interface StudioTestHook {
  snapshot(): {
    backend: string | null;
    autoChoice: string | null;
    modelLoaded: boolean;
    source: string | null;
    predicted: number | null;
    logits: number[] | null;
    probabilities: number[] | null;
    modelInput: number[] | null;
    message: { kind: string; text: string } | null;
    runs: Record<string, { status: string; target: number; min: number | null; max: number | null; length: number | null }>;
  };
  tensorCount(): Promise<number>;
}

export function installTestHook(): void {
  const hook: StudioTestHook = {
    snapshot() {
      const s = useStudio.getState();
      return {
        backend: s.backend?.active ?? null,
        autoChoice: s.backend?.autoChoice ?? null,
        modelLoaded: s.model !== null,
        source: s.input?.source ?? null,
        predicted: s.classification?.predicted ?? null,
        logits: s.classification ? Array.from(s.classification.logits) : null,
        probabilities: s.classification ? Array.from(s.classification.probabilities) : null,
        modelInput: s.classification ? Array.from(s.classification.pixels) : null,
        message: s.message,
        runs: Object.fromEntries(Object.entries(s.runs).map(([id, r]) => {
          const range = r.relevance ? symmetricLimit(r.relevance) : null;
          return [id, { status: r.status, target: r.target, min: range?.min ?? null, max: range?.max ?? null, length: r.relevance?.length ?? null }];
        })),
      };
    },
    async tensorCount() {
      return (await workerMemory()).numTensors;
    },
  };
  (window as unknown as { __studio: StudioTestHook }).__studio = hook;
}
