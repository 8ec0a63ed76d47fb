// The time an evaluation will take, and the problem of its settings, before it starts. Asked of
// the worker (its pass count × the measured time per pass, learned from the last evaluation) when
// the settings, the methods, the input or the backend change and no evaluation is in flight.
import { useEffect, useState } from 'react';
import { useStudio } from '../../store/studioStore';
import { estimateEvaluation } from '../../store/evaluateActions';
import type { EvaluationEstimate } from '../../worker/protocol';
import { estimateText } from '../useRunEstimate';

export interface EvaluationPreview {
  estimate: EvaluationEstimate | null;
  text: string | null;
  /** Why these settings cannot run on this input and model (the worker's check, the CLI's words). */
  problem: string | null;
}

export function useEvaluationEstimate(enabled: boolean): EvaluationPreview {
  const [preview, setPreview] = useState<EvaluationPreview>({ estimate: null, text: null, problem: null });
  const settings = useStudio((s) => s.evaluate.settings);
  const selected = useStudio((s) => s.compare.selected);
  const params = useStudio((s) => s.compare.params);
  const gridRuns = useStudio((s) => s.compare.runs);
  const classification = useStudio((s) => s.classification);
  const model = useStudio((s) => s.model);
  const backend = useStudio((s) => s.backend?.active);
  const ready = useStudio((s) => s.backendStatus === 'ready');
  // A map of the grid finishing changes what is left to compute; its progress does not.
  const finished = Object.entries(gridRuns).filter(([, r]) => r.status === 'done').map(([id]) => id).join(',');
  useEffect(() => {
    if (!classification || !ready) return setPreview({ estimate: null, text: null, problem: null });
    if (!enabled) return;
    let live = true;
    void estimateEvaluation().then((answer) => {
      if (!live || !answer) return;
      if ('problem' in answer) setPreview({ estimate: null, text: null, problem: answer.problem });
      else setPreview({ estimate: answer.estimate, text: estimateText({ milliseconds: answer.estimate.milliseconds, atMost: false }), problem: null });
    });
    return () => { live = false; };
  }, [enabled, settings, selected, params, finished, classification, model, backend, ready]);
  return preview;
}
