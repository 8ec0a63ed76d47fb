import { useStudio } from '../store/studioStore';
import { BackendPicker } from './BackendPicker';
import { IntakePanel } from './IntakePanel';
import { InputView } from './InputView';
import { MessageBar } from './MessageBar';
import { RelevancePanel } from './RelevancePanel';

export function App() {
  const model = useStudio((s) => s.model);
  return (
    <>
      <header className="top">
        <h1>Explanation Studio</h1>
        <span className="model" data-testid="model-name">
          {model ? `${model.name}${model.heldOutAccuracy != null ? ` · held-out accuracy ${(model.heldOutAccuracy * 100).toFixed(1)}%` : ''}` : 'Loading the model…'}
        </span>
        <BackendPicker />
      </header>
      <MessageBar />
      <main className="layout">
        <IntakePanel />
        <InputView />
        <RelevancePanel methodId="gradient" />
      </main>
    </>
  );
}
