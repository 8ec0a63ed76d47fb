import { useRef } from 'react';
import { useStudio } from '../store/studioStore';
import { loadBuiltinModel, loadUserModel } from '../store/actions';

/** Names the model and loads a user's own (model.json + weights, optional meta.json). */
export function ModelPicker() {
  const model = useStudio((s) => s.model);
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="model">
      <span data-testid="model-name">
        {model ? `${model.name}${model.heldOutAccuracy != null && Number.isFinite(model.heldOutAccuracy) ? ` · ${(model.heldOutAccuracy * 100).toFixed(1)}% held-out accuracy` : ''}` : 'Loading the model…'}
      </span>
      <button type="button" onClick={() => input.current?.click()}>Load your model…</button>
      {model && model.id !== 'mnist' && (
        <button type="button" data-testid="builtin-model" onClick={() => void loadBuiltinModel()}>Back to the built-in model</button>
      )}
      <input
        ref={input}
        type="file"
        multiple
        accept=".json,.bin,application/json,application/octet-stream"
        hidden
        data-testid="model-file-input"
        aria-label="Choose model.json and its weight files"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          void loadUserModel(files);
        }}
      />
    </div>
  );
}
