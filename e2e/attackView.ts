// The attack panel as the end-to-end tests drive it: through its fields and buttons, read back
// through the store's snapshot (ui/attack/attackSnapshot.ts).
import type { Locator, Page } from '@playwright/test';
import type { StudioHook, Snapshot } from './studio';

export class AttackView {
  constructor(readonly page: Page, readonly hook: StudioHook) {}

  get openButton(): Locator {
    return this.page.getByTestId('attack-open');
  }

  get runButton(): Locator {
    return this.page.getByTestId('attack-run');
  }

  async open(): Promise<void> {
    if ((await this.openButton.getAttribute('aria-expanded')) !== 'true') await this.openButton.click();
  }

  /** A field by its label; a select is chosen, a text box filled and committed. */
  async set(label: string, value: string): Promise<void> {
    const field = this.page.locator('#attack-view').getByLabel(label, { exact: true });
    if (await field.evaluate((e) => e.tagName === 'SELECT')) await field.selectOption(value);
    else {
      await field.fill(value);
      await field.press('Enter');
    }
  }

  /** Runs the attack as set and waits for it to end (done, error or cancelled). */
  async run(timeout = 60_000): Promise<Snapshot['attack']> {
    await this.runButton.click();
    const s = await this.hook.waitFor((x) => x.attack.status !== 'running' && x.attack.status !== 'queued' && x.attack.status !== 'none', undefined, { timeout, polling: 200 });
    return s.attack;
  }
}
