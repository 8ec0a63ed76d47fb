import { BackendPicker } from './BackendPicker';
import { IntakePanel } from './IntakePanel';
import { InputView } from './InputView';
import { MessageBar } from './MessageBar';
import { ModelPicker } from './ModelPicker';
import { PanelBoundary } from './PanelBoundary';
import { RelevancePanel } from './RelevancePanel';
import { RdePanel } from './RdePanel';
import { ComparePanel } from './compare/ComparePanel';
import { EvaluatePanel } from './evaluate/EvaluatePanel';
import { AttackPanel } from './attack/AttackPanel';

export function App() {
  return (
    <>
      <header className="top">
        <h1>Explanation Studio</h1>
        <PanelBoundary name="Model"><ModelPicker /></PanelBoundary>
        <PanelBoundary name="Backend"><BackendPicker /></PanelBoundary>
      </header>
      <MessageBar />
      <main className="layout">
        <PanelBoundary name="Input"><IntakePanel /></PanelBoundary>
        <PanelBoundary name="What the model sees"><InputView /></PanelBoundary>
        <PanelBoundary name="Relevance map"><RelevancePanel methodId="gradient" /></PanelBoundary>
        <PanelBoundary name="Rate-Distortion Explanation"><RdePanel /></PanelBoundary>
        <PanelBoundary name="Compare methods"><ComparePanel /></PanelBoundary>
        <PanelBoundary name="Evaluate the maps"><EvaluatePanel /></PanelBoundary>
        <PanelBoundary name="Attack the explanation"><AttackPanel /></PanelBoundary>
      </main>
    </>
  );
}
