import { create } from 'zustand';
import type { BackendReport, ClassifyResult, ModelInfo } from '../worker/protocol';
import { initialRdeState, type RdeState } from './rdeSlice';
import { initialCompareState, type CompareState } from './compareSlice';
import { initialEvaluateState, type EvaluateState } from './evaluateSlice';
import { initialAttackState, type AttackState } from './attackSlice';
import type { Run } from './runExecutor';

export type { Run } from './runExecutor';

export interface InputImage {
  /** Where it came from: a file name, "drawing", "clipboard", a bundled digit. */
  source: string;
  /** An object URL of the image as given (downscaled if it was huge), for display. */
  previewUrl: string;
  width: number;
  height: number;
  notes: string[];
}

export interface StudioMessage {
  kind: 'error' | 'info';
  text: string;
  /** Stays until dismissed or replaced by another error (what happened to the worker). */
  persistent?: boolean;
}

export interface StudioState {
  backend: BackendReport | null;
  backendStatus: 'starting' | 'ready' | 'switching' | 'failed';
  model: ModelInfo | null;
  input: InputImage | null;
  /** The model's view of the input and its scores. */
  classification: ClassifyResult | null;
  /** The latest run per method id. */
  runs: Record<string, Run>;
  /** The class the maps explain; null follows the prediction. */
  targetOverride: number | null;
  overlay: boolean;
  busy: string | null;
  message: StudioMessage | null;
  rde: RdeState;
  /** The comparison view: methods side by side on the same input (its runs are its own). */
  compare: CompareState;
  /** The evaluate view: relevance-ordering curves of the grid's methods on the current input. */
  evaluate: EvaluateState;
  /** The attack panel: how fragile one method's map of the current input is (issue 15). */
  attack: AttackState;
}

export const initialStudioState: StudioState = {
  backend: null,
  backendStatus: 'starting',
  model: null,
  input: null,
  classification: null,
  runs: {},
  targetOverride: null,
  overlay: true,
  busy: null,
  message: null,
  rde: initialRdeState,
  compare: initialCompareState,
  evaluate: initialEvaluateState,
  attack: initialAttackState,
};

export const useStudio = create<StudioState>()(() => ({ ...initialStudioState }));

export const selectTarget = (s: StudioState): number | null =>
  s.targetOverride ?? s.classification?.predicted ?? null;
