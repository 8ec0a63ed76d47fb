// The view in the address bar: RDE's parameters, the explained class, a bundled digit and the
// backend live in the URL, so a copied link reproduces what is on screen (RDE runs start from
// s₀, so the same parameters give the same mask). RDE's fields, their bounds and their messages
// come from RDE's schema (core/methods/params.ts), as in the panel and the CLI. Each value is
// checked on its own; one bad value is reported and ignored, the others still apply.
import { parseParamInput, ruleText } from '../core/methods/params';
import { RDE_DEFAULTS, RDE_FIELDS, rdeParams, type RdeParams } from '../core/rde/params';
import { BACKEND_LABELS, type BackendName } from '../core/tf/backendNames';
import { plural } from '../core/util/plural';
import type { BackendPreference } from '../worker/protocol';
import { useStudio, type StudioState } from './studioStore';
import { setTarget, showMessage } from './actions';
import { setRdeSettings } from './rdeActions';

/** RDE's parameters as link keys (the names of the schema's fields). */
const RDE_KEYS = Object.keys(rdeParams.shape) as Array<keyof RdeParams>;
/** Always written, so a link says the λ, rank and mode it shows even at their defaults. */
const DESCRIPTORS = RDE_FIELDS;
const ALWAYS_WRITTEN: Array<keyof RdeParams> = ['lambda', 'rank', 'mode'];

const BACKENDS = ['auto', ...Object.keys(BACKEND_LABELS) as BackendName[]];
const DIGIT = /^digit-\d+-\d+\.png$/;

export interface UrlView {
  settings: Partial<RdeParams>;
  explainedClass?: number;
  digit?: string;
  backend?: BackendPreference;
  problems: string[];
}

/** Reads a link's view; problems are listed in the order the link gives its values. */
export function parseUrlView(search: string): UrlView {
  const view: UrlView = { settings: {}, problems: [] };
  for (const [key, value] of new URLSearchParams(search)) {
    if ((RDE_KEYS as string[]).includes(key)) {
      // The key is named already: the rule follows it, as on the CLI ("--lambda must be …").
      const parsed = parseParamInput(DESCRIPTORS[key as keyof RdeParams], value);
      if (parsed.ok) Object.assign(view.settings, { [key]: parsed.value });
      else view.problems.push(`${key}=${value} (${ruleText(DESCRIPTORS[key as keyof RdeParams])})`);
    } else if (key === 'class') {
      const k = Number(value);
      if (value.trim() !== '' && Number.isInteger(k) && k >= 0) view.explainedClass = k;
      else view.problems.push(`class=${value} (must be a whole number from 0)`);
    } else if (key === 'digit') {
      if (DIGIT.test(value)) view.digit = value;
      else view.problems.push(`digit=${value} (a bundled digit is named like digit-3-1.png)`);
    } else if (key === 'backend') {
      if (BACKENDS.includes(value)) view.backend = value as BackendPreference;
      else view.problems.push(`backend=${value} (must be one of ${BACKENDS.join(', ')})`);
    }
  }
  return view;
}

/**
 * The query string for the current view: λ, rank and mode always, RDE's other parameters where
 * they differ from the defaults; a valid backend and other parameters are kept.
 */
export function viewSearch(state: Pick<StudioState, 'rde' | 'targetOverride'> & { digit: string | null }, current: string): string {
  const params = new URLSearchParams(current);
  // A backend the link named wrongly was reported and ignored: it does not stay in the address.
  const backend = params.get('backend');
  if (backend !== null && !BACKENDS.includes(backend)) params.delete('backend');
  for (const key of RDE_KEYS) {
    const value = state.rde.settings[key];
    if (ALWAYS_WRITTEN.includes(key) || value !== RDE_DEFAULTS[key]) params.set(key, String(value));
    else params.delete(key);
  }
  if (state.targetOverride === null) params.delete('class');
  else params.set('class', String(state.targetOverride));
  if (state.digit) params.set('digit', state.digit);
  else params.delete('digit');
  return `?${params.toString()}`;
}

/**
 * Applies the link's view once the model is loaded, then keeps the address bar in step. What
 * the link got wrong stays on screen (a persistent message) until dismissed, also while the
 * digit it names opens. `digitOf` names the bundled digit an input came from (null for others);
 * `openDigit` opens one.
 */
export function syncUrlWithStore(deps: { digitOf: (source: string | undefined) => string | null; openDigit: (file: string) => Promise<unknown> }): void {
  const view = parseUrlView(location.search);
  const problems = [...view.problems];
  const report = () => {
    if (problems.length) showMessage('error', `Ignored in the link: ${problems.join('; ')}.`, { persistent: true });
  };
  report();
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
      if (most === null) problems.push(`rank=${r} (this model has no reference distribution)`);
      else if (r > most) problems.push(`rank=${r} (the reference distribution holds rank ${most} at most)`);
      else setRdeSettings({ rank: r, ...(settings.mode ? { mode: settings.mode } : {}) }, { run: false });
      if (most === null || r > most) report();
    }
    if (pendingDigit && state.model) {
      const digit = pendingDigit;
      pendingDigit = null;
      void deps.openDigit(digit);
    }
    if (pendingClass !== null && state.classification && state.model) {
      const k = pendingClass;
      pendingClass = null;
      if (k >= state.model.classes.length) {
        problems.push(`class=${k} (the model has ${plural(state.model.classes.length, 'class', 'classes')})`);
        report();
      } else if (k !== state.classification.predicted) setTarget(k);
    }
    if (pendingDigit === null && pendingClass === null && pendingRank === null) {
      const next = viewSearch({ ...state, digit: deps.digitOf(state.input?.source) }, location.search);
      if (next !== location.search) history.replaceState(null, '', next);
    }
  });
}
