// The attack panel's actions (issue 15): one attack at a time on the current input, run on the
// store's run executor (slot "attack", cancel like any run). The method's parameters are the
// comparison grid's, so the map attacked is the grid's map. What the worker streams (the map at
// x, the random baseline, each iteration, the iterate now and then) goes into the slice as it
// comes; a cancelled attack keeps what it measured.
import { studioWorker, proxyCallback } from '../worker/client';
import type { AttackEvent, PixelBox } from '../worker/protocol';
import type { ParamValue } from '../core/methods/params';
import { gradientAttackProblem } from '../core/attacks/params';
import { useStudio } from './studioStore';
import { runs } from './runs';
import { attackRange, attackTimingKey, epsilonInUnits, initialAttackState, targetRegionProblem, type AttackState } from './attackSlice';

const get = useStudio.getState;
const setAttack = (patch: Partial<AttackState>) => useStudio.setState((s) => ({ attack: { ...s.attack, ...patch } }));
const SLOT = 'attack';

export function openAttack(open: boolean): void {
  setAttack({ open });
}

export function chooseAttackMethod(methodId: string): void {
  setAttack({ methodId });
}

/** A setting edited in the form (already checked there against the schema). */
export function setAttackSetting(name: string, value: ParamValue): void {
  setAttack({ settings: { ...get().attack.settings, [name]: value } });
}

export function resetAttackSettings(): void {
  setAttack({ settings: { ...initialAttackState.settings }, epsilon255: initialAttackState.epsilon255 });
}

export function setAttackEpsilon(epsilon255: number): void {
  setAttack({ epsilon255 });
}

export function setTargetRegion(box: PixelBox): void {
  setAttack({ targetRegion: box });
}

function applyEvent(event: AttackEvent): void {
  switch (event.kind) {
    case 'start': {
      const { kind: _kind, ...start } = event;
      setAttack({ start });
      return;
    }
    case 'baseline':
      setAttack({ baseline: event.random });
      return;
    case 'iteration': {
      const { attack } = get();
      setAttack({
        trace: attack.trace.concat(event.record),
        ...(event.current ? { current: { iteration: event.record.iteration, ...event.current } } : {}),
      });
    }
  }
}

/** Why the attack cannot run with these settings on this input, or null. */
export function attackProblem(): string | null {
  const { attack, classification, model } = get();
  if (!model || !classification) return 'Load an image first.';
  const method = model.methods.find((m) => m.id === attack.methodId);
  if (!method) return `The model has no method ${attack.methodId}.`;
  if (!method.available) return `${method.label} cannot run on this model: ${method.reason ?? 'unavailable'}.`;
  const eps = epsilonInUnits(attack.epsilon255, attackRange(model.inputRange, classification.pixels));
  if ('problem' in eps) return eps.problem;
  if (attack.settings.kind === 'gradient') {
    const problem = gradientAttackProblem(method.id, method.label, model.smoothProblem);
    if (problem) return problem;
  }
  if ((attack.settings.attack ?? 'topk') === 'targeted') {
    const [h, w] = classification.shape;
    return targetRegionProblem(attack.targetRegion, h, w);
  }
  return null;
}

/**
 * Attacks the chosen method's map of the current input, replacing an attack in flight. Resolves
 * when it ends (done, failed, cancelled or superseded).
 */
export async function runAttackPanel(): Promise<void> {
  const problem = attackProblem();
  const state = get();
  if (problem || !state.classification || !state.model) return;
  const { attack, classification, model } = state;
  const eps = epsilonInUnits(attack.epsilon255, attackRange(model.inputRange, classification.pixels)) as { epsilon: number };
  const params: Record<string, unknown> = { ...attack.settings, epsilon: eps.epsilon };
  const targeted = params.attack === 'targeted';
  const methodParams = { ...state.compare.params[attack.methodId] };
  setAttack({ start: null, baseline: null, trace: [], current: null, best: null, used: null });
  const run = await runs.startTask(SLOT, {
    methodId: attack.methodId, target: classification.predicted, params, lane: 'now',
    execute: async (runId, onProgress) => {
      const onEvent = proxyCallback((event: AttackEvent) => { if (runs.current(SLOT) === runId) applyEvent(event); });
      const answer = await studioWorker().attack({
        runId, methodId: attack.methodId, methodParams, params, ...(targeted ? { targetRegion: attack.targetRegion } : {}),
      }, onProgress, onEvent);
      return { params: answer.params, milliseconds: answer.milliseconds, backend: answer.backend, extras: { best: answer.attacked, random: answer.random, step: answer.step } };
    },
  }, (r) => setAttack({ run: r }));
  // What an iteration cost here (a finished run's time, the map at x and the baseline included): the next estimate's figure.
  const { trace, start } = get().attack;
  if (run && start && trace.length >= 2 && run.milliseconds) {
    const key = attackTimingKey(attack.methodId, start.searchKind, run.backend);
    setAttack({ perIteration: { ...get().attack.perIteration, [key]: run.milliseconds / trace.length } });
  }
  if (run?.status !== 'done' || !run.extras) return;
  const extras = run.extras as { best: AttackState['best']; random: AttackState['baseline']; step: number };
  setAttack({ best: extras.best, baseline: extras.random ?? get().attack.baseline, used: { params: run.params ?? {}, step: extras.step } });
}

/** The Cancel button: the worker stops before its next step and frees what it held; the trace so far stays. */
export function cancelAttack(): Promise<void> {
  return runs.requestCancel(SLOT);
}

/** The input, class or model changed: the attack of the old one is dropped and a run in flight cancelled. */
export function resetAttack(): void {
  void runs.cancel(SLOT);
  const { open, settings, epsilon255, targetRegion, methodId, perIteration } = get().attack;
  setAttack({ ...initialAttackState, open, settings, epsilon255, targetRegion, methodId, perIteration });
}
