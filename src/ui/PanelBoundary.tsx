import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** The panel's name, for the message. */
  name: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * One panel's rendering failure stays in that panel: it shows what went wrong and a way to try
 * again, and the rest of the studio keeps working (React would otherwise unmount the page).
 */
export class PanelBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.warn(`The ${this.props.name} panel failed to draw:`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="panel panel-failed" role="alert" data-testid="panel-failed">
        <h2>{this.props.name}</h2>
        <p>This panel could not be drawn. The rest of the studio still works.</p>
        <details>
          <summary>What went wrong</summary>
          <p className="error-detail">{error.message}</p>
        </details>
        <button type="button" onClick={() => this.setState({ error: null })}>Try again</button>
      </section>
    );
  }
}
