import { useStudio } from '../store/studioStore';
import { chooseBackend } from '../store/actions';
import { BACKEND_LABELS, type BackendName } from '../core/tf/backendNames';
import type { BackendPreference } from '../worker/protocol';
import { BACKEND_SWITCH_RULE } from '../store/backendSwitch';

/** Names the backend in use and lets the user pick another. */
export function BackendPicker() {
  const backend = useStudio((s) => s.backend);
  const status = useStudio((s) => s.backendStatus);
  if (!backend) return <span className="backend" data-testid="backend">Starting the compute worker…</span>;
  const label = (name: BackendName) => BACKEND_LABELS[name];
  return (
    <div className="backend">
      <span data-testid="backend">Backend: <strong data-testid="backend-active">{label(backend.active)}</strong></span>
      <label>
        <span className="visually-hidden">Compute backend</span>
        <select
          value={backend.preference}
          disabled={status === 'switching'}
          onChange={(e) => void chooseBackend(e.currentTarget.value as BackendPreference)}
          data-testid="backend-select"
          aria-label="Compute backend"
          aria-describedby="backend-rule"
          title={BACKEND_SWITCH_RULE}
        >
          <option value="auto">Auto ({label(backend.autoChoice)} here)</option>
          {backend.options.map((o) => (
            <option key={o.name} value={o.name} disabled={!o.available} title={o.detail}>
              {label(o.name)}{!o.available ? ' (unavailable)' : o.software ? ' (software)' : ''}
            </option>
          ))}
        </select>
      </label>
      <span id="backend-rule" className="visually-hidden" data-testid="backend-rule">{BACKEND_SWITCH_RULE}</span>
    </div>
  );
}
