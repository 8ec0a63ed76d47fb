// The view in the address bar: λ, rank, mode, the explained class and a bundled digit live in
// the URL, so a copied link reproduces what is on screen. Each value is checked on its own;
// one bad value is reported and ignored, the others still apply.
import { z } from 'zod';
import { useStudio, type StudioState } from '../store/studioStore';
import { setTarget, showMessage } from '../store/actions';
import { plural } from '../core/util/plural';
import { setRdeSettings } from '../store/rdeActions';
import { RDE_MODES, type RdeMode, type RdeSettings } from '../store/rdeSlice';
import { bundledFileOf, openBundledDigit } from './bundledDigits';
import type { BackendPreference } from '../worker/protocol';

const fields = {
  lambda: z.coerce.number().min(0).max(10000),
  rank: z.coerce.number().int().min(0).max(4096),
  mode: z.enum(Object.keys(RDE_MODES) as [RdeMode, ...RdeMode[]]),
  class: z.coerce.number().int().min(0),
  digit: z.string().regex(/^digit-\d+-\d+\.png$/),
  backend: z.enum(['auto', 'webgpu', 'webgl', 'wasm', 'cpu']),
};

export interface UrlView {
  settings: Partial<Pick<RdeSettings, 'lambda' | 'rank' | 'mode'>>;
  explainedClass?: number;
  digit?: string;
  backend?: BackendPreference;
  problems: string[];
}

export function parseUrlView(search: string): UrlView {
  const params = new URLSearchParams(search);
  const view: UrlView = { settings: {}, problems: [] };
  for (const key of Object.keys(fields) as Array<keyof typeof fields>) {
    const raw = params.get(key);
    if (raw === null) continue;
    const parsed = fields[key].safeParse(raw);
    if (!parsed.success) {
      view.problems.push(`${key}=${raw} (${parsed.error.issues[0].message})`);
      continue;
    }
    if (key === 'class') view.explainedClass = parsed.data as number;
    else if (key === 'digit') view.digit = parsed.data as string;
    else if (key === 'backend') view.backend = parsed.data as BackendPreference;
    else (view.settings as Record<string, unknown>)[key] = parsed.data;
  }
  return view;
}

/** The query string for the current view (other parameters, like backend, are kept). */
export function viewSearch(state: StudioState, current: string): string {
  const params = new URLSearchParams(current);
  const { lambda, rank, mode } = state.rde.settings;
  params.set('lambda', String(lambda));
  params.set('rank', String(rank));
  params.set('mode', mode);
  if (state.targetOverride === null) params.delete('class');
  else params.set('class', String(state.targetOverride));
  const digit = bundledFileOf(state.input?.source);
  if (digit) params.set('digit', digit);
  else params.delete('digit');
  return `?${params.toString()}`;
}

/** Applies the link's view once the model is loaded, then keeps the address bar in step. */
export function syncUrlWithStore(): void {
  const view = parseUrlView(location.search);
  if (view.problems.length) showMessage('error', `Ignored in the link: ${view.problems.join('; ')}.`);
  const { rank, ...settings } = view.settings;
  setRdeSettings(settings, { run: false });
  let pendingRank = rank ?? null;
  let pendingClass = view.explainedClass ?? null;
  let pendingDigit = view.digit ?? null;
  useStudio.subscribe((state) => {
    // The rank is checked against the model's reference distribution once that is known.
    if (pendingRank !== null && state.model) {
      const r = pendingRank;
      pendingRank = null;
      const most = state.model.referenceRank;
      if (most === null) showMessage('error', `Ignored in the link: rank=${r} (this model has no reference distribution).`);
      else if (r > most) showMessage('error', `Ignored in the link: rank=${r} (the reference distribution holds rank ${most} at most).`);
      else setRdeSettings({ rank: r, ...(settings.mode ? { mode: settings.mode } : {}) }, { run: false });
    }
    if (pendingDigit && state.model) {
      const digit = pendingDigit;
      pendingDigit = null;
      void openBundledDigit(digit);
    }
    if (pendingClass !== null && state.classification && state.model) {
      const k = pendingClass;
      pendingClass = null;
      if (k >= state.model.classes.length) showMessage('error', `Ignored in the link: class=${k} (the model has ${plural(state.model.classes.length, 'class', 'classes')}).`);
      else if (k !== state.classification.predicted) setTarget(k);
    }
    if (pendingDigit === null && pendingClass === null && pendingRank === null) {
      const next = viewSearch(state, location.search);
      if (next !== location.search) history.replaceState(null, '', next);
    }
  });
}
