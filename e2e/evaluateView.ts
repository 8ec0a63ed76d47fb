import type { Locator, Page } from '@playwright/test';
import type { StudioHook, Snapshot } from './studio';

export type EvaluateState = Snapshot['evaluate'];

/** The evaluate view, opened from the comparison grid: settings, run and cancel, plot, table. */
export class EvaluateView {
  readonly panel: Locator;
  readonly openButton: Locator;
  readonly runButton: Locator;
  readonly cancelButton: Locator;
  readonly estimate: Locator;
  readonly problem: Locator;
  readonly table: Locator;

  constructor(readonly page: Page, private readonly hook: StudioHook) {
    this.panel = page.getByTestId('panel-evaluate');
    this.openButton = page.getByTestId('evaluate-open');
    this.runButton = page.getByTestId('evaluate-run');
    this.cancelButton = page.getByTestId('evaluate-cancel');
    this.estimate = page.getByTestId('evaluate-estimate');
    this.problem = page.getByTestId('evaluate-problem');
    this.table = page.getByTestId('evaluate-auc');
  }

  async state(): Promise<EvaluateState> {
    return (await this.hook.snapshot()).evaluate;
  }

  /** A setting's field, found by its label as a screen reader announces it. */
  field(label: string): Locator {
    return this.panel.getByLabel(label, { exact: true });
  }

  fieldProblem(name: string): Locator {
    return this.page.getByTestId(`compare-param-evaluate-${name}-problem`);
  }

  async set(label: string, value: string): Promise<void> {
    const field = this.field(label);
    if (await field.evaluate((e) => e.tagName === 'SELECT')) await field.selectOption(value);
    else {
      await field.fill(value);
      await field.press('Enter');
    }
  }

  /** Waits until the evaluation is no longer running and returns its state. */
  async waitForEnd(timeout = 30_000): Promise<EvaluateState> {
    return (await this.hook.waitFor((s) => s.evaluate.status !== 'running' && s.evaluate.status !== 'queued' && s.evaluate.status !== 'none', undefined, { timeout, polling: 100 })).evaluate;
  }
}

