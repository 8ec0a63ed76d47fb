import { BackendPicker } from './BackendPicker';
import { IntakePanel } from './IntakePanel';
import { InputView } from './InputView';
import { MessageBar } from './MessageBar';
import { ModelPicker } from './ModelPicker';
import { RelevancePanel } from './RelevancePanel';
import { RdePanel } from './RdePanel';
import { ComparePanel } from './compare/ComparePanel';

export function App() {
  return (
    <>
      <header className="top">
        <h1>Explanation Studio</h1>
        <ModelPicker />
        <BackendPicker />
      </header>
      <MessageBar />
      <main className="layout">
        <IntakePanel />
        <InputView />
        <RelevancePanel methodId="gradient" />
        <RdePanel />
        <ComparePanel />
      </main>
    </>
  );
}
