// Test fixtures for the studio page, after tldraw's e2e fixtures: `studio` (the page, its typed
// test hook and the checks every test ends with: no console errors, no requests off the host) and
// one page object per panel (`intake`, `scores`, `relevance`, `rde`, `compare`, `header`), so a
// spec reads as the user's steps. Numbers are read from the store through the typed hook
// (src/ui/testHook.ts); no spec touches window.__studio itself.
import { test as base, expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import type { CompareSnapshot, RdeSnapshot, StudioSnapshot, StudioTestHook } from '../src/ui/testHook';
import { BACKEND_LABELS, type BackendName } from '../src/core/tf/backendNames';

export type Snapshot = StudioSnapshot;
export type { CompareSnapshot, RdeSnapshot, StudioTestHook };

/** How long and how often a wait polls; `polling` in ms, or every animation frame (the default). */
export interface WaitOptions {
  timeout?: number;
  polling?: number | 'raf';
}

/**
 * A function of the hook, sent to the page as source (as page.evaluate sends any function): it
 * runs there, so it may use only its arguments, never variables of the test.
 */
export type InPage<A, R> = (hook: StudioTestHook, arg: A) => R;

/**
 * `fn` called on the page's hook, as a function of the argument Playwright passes: Playwright
 * sends a function to the page as its source, so the source is composed here (typed as taking
 * no argument, for page.evaluate's overload that passes any).
 */
function onHook<R>(fn: (hook: StudioTestHook, arg: never) => unknown): () => R {
  return new Function('arg', `return (${fn.toString()})(window.__studio, arg);`) as () => R;
}

/** `fn` called on the page's snapshot. */
function onSnapshot(fn: (s: Snapshot, arg: never) => boolean): () => boolean {
  return new Function('arg', `return (${fn.toString()})(window.__studio.snapshot(), arg);`) as () => boolean;
}

/** The typed test hook of one page. */
export class StudioHook {
  constructor(readonly page: Page) {}

  /** Evaluates `fn(hook, arg)` in the page and returns its (awaited) result. */
  eval<R>(fn: InPage<undefined, R>): Promise<Awaited<R>>;
  eval<R, A>(fn: InPage<A, R>, arg: A): Promise<Awaited<R>>;
  eval<R, A>(fn: InPage<A, R>, arg?: A): Promise<Awaited<R>> {
    return this.page.evaluate(onHook<Promise<Awaited<R>>>(fn), arg);
  }

  snapshot(): Promise<Snapshot> {
    return this.eval((h) => h.snapshot());
  }

  tensorCount(): Promise<number> {
    return this.eval((h) => h.tensorCount());
  }

  workerStarts(): Promise<number> {
    return this.eval((h) => h.workerStarts());
  }

  /** Waits until `fn(snapshot, arg)` holds in the page, then returns the snapshot. */
  async waitFor<A>(fn: (s: Snapshot, arg: A) => boolean, arg?: A, options: WaitOptions = {}): Promise<Snapshot> {
    await this.page.waitForFunction(onSnapshot(fn), arg, options);
    return this.snapshot();
  }

  /** Waits until `fn(hook, arg)` holds in the page (for what the snapshot does not hold). */
  async waitForHook<A>(fn: InPage<A, boolean>, arg?: A, options: WaitOptions = {}): Promise<void> {
    await this.page.waitForFunction(onHook<boolean>(fn), arg, options);
  }

  /** Whether the page has the hook (a studio page is loaded). */
  present(): Promise<boolean> {
    return this.page.evaluate(() => window.__studio !== undefined);
  }

  /** Waits for the hook and the loaded model (after a load or a reload). */
  async waitForModel(): Promise<void> {
    await this.page.waitForFunction(() => window.__studio?.snapshot().modelLoaded === true);
  }

  /** Waits until the gradient map is done (for `source` when given) and returns the snapshot. */
  waitForMap(source?: string): Promise<Snapshot> {
    return this.waitFor((s, src) => (src === undefined || s.source === src) && s.runs.gradient?.status === 'done', source);
  }
}

/** The source shown for a bundled test digit, e.g. "Test digit 3 (digit-3-0.png)". */
export function digitSource(file: string): string {
  return `Test digit ${file.match(/^digit-(\d+)-/)![1]} (${file})`;
}

/** The input panel: the drop zone, the file dialog, the bundled digits, the drawing pad. */
export class IntakePanel {
  readonly dropzone: Locator;
  readonly drawpad: Locator;
  readonly fileInput: Locator;
  /** The preview of the image as given, and its caption (name and size). */
  readonly preview: Locator;
  readonly caption: Locator;

  constructor(readonly page: Page, private readonly hook: StudioHook) {
    this.dropzone = page.getByTestId('dropzone');
    this.drawpad = page.getByTestId('drawpad');
    this.fileInput = page.getByTestId('file-input');
    this.preview = page.getByTestId('input-preview');
    this.caption = page.locator('figure', { has: this.preview }).locator('figcaption');
  }

  digit(file: string): Locator {
    return this.page.getByTestId(`digit-${file}`);
  }

  /** Clicks a bundled digit (without waiting for its map). */
  async pickDigit(file: string): Promise<void> {
    await this.digit(file).click();
  }

  /** Clicks a bundled digit and waits for its map. */
  async showDigit(file: string): Promise<Snapshot> {
    await this.pickDigit(file);
    return this.hook.waitForMap(digitSource(file));
  }

  /** Drops a file on the drop zone as a browser drag would. */
  drop(name: string, mimeType: string, bytes: Buffer): Promise<void> {
    return dropFile(this.page, name, mimeType, bytes);
  }

  /** Pastes a file as the clipboard would deliver it. */
  paste(name: string, mimeType: string, bytes: Buffer): Promise<void> {
    return pasteFile(this.page, name, mimeType, bytes);
  }

  /** Chooses a file with "Choose an image…". */
  async choose(name: string, mimeType: string, bytes: Buffer): Promise<void> {
    await this.fileInput.setInputFiles({ name, mimeType, buffer: bytes });
  }

  /**
   * Draws one stroke with the mouse (button down at the first point, up after the last) through
   * the points `path` gives for the pad's size, in pixels from its top-left corner.
   */
  async drawStroke(path: (width: number, height: number) => Array<[number, number]>): Promise<void> {
    const box = (await this.drawpad.boundingBox())!;
    const points = path(box.width, box.height);
    await this.page.mouse.move(box.x + points[0][0], box.y + points[0][1]);
    await this.page.mouse.down();
    for (const [x, y] of points.slice(1)) await this.page.mouse.move(box.x + x, box.y + y);
    await this.page.mouse.up();
  }
}

/** The prediction and the class-score table with its "explain this class" radios. */
export class ClassScores {
  readonly table: Locator;
  readonly rows: Locator;
  readonly predicted: Locator;

  constructor(readonly page: Page, private readonly hook: StudioHook) {
    this.table = page.getByTestId('scores');
    this.rows = this.table.locator('tbody tr');
    this.predicted = page.getByTestId('predicted-class');
  }

  /** Chooses the class the maps explain; waits for the gradient map of that class. */
  async explainClass(name: string, target: number): Promise<Snapshot> {
    await this.page.getByRole('radio', { name: `Explain class ${name}` }).check();
    return this.hook.waitFor((s, t) => s.runs.gradient?.status === 'done' && s.runs.gradient.target === t, target);
  }
}

/** The main relevance map (gradient): heat map, overlay, legend, caption and run meta. */
export class RelevancePanel {
  readonly heatmap: Locator;
  readonly overlay: Locator;
  readonly legend: Locator;
  readonly legendMax: Locator;
  readonly legendMin: Locator;
  readonly caption: Locator;
  readonly runMeta: Locator;

  constructor(readonly page: Page) {
    this.heatmap = page.getByTestId('heatmap');
    this.overlay = page.getByTestId('overlay');
    this.legend = page.getByTestId('legend');
    this.legendMax = page.getByTestId('legend-max');
    this.legendMin = page.getByTestId('legend-min');
    this.caption = page.getByTestId('relevance-caption');
    this.runMeta = page.getByTestId('run-meta');
  }
}

/** The RDE panel: settings, status, traces, the rate–distortion plane, cancel and sweep. */
export class RdePanel {
  readonly panel: Locator;
  readonly lambda: Locator;
  readonly lambdaSlider: Locator;
  readonly rank: Locator;
  readonly iterations: Locator;
  readonly plateau: Locator;
  readonly classSelect: Locator;
  readonly modeLabel: Locator;
  readonly status: Locator;
  readonly cancelButton: Locator;
  readonly sweepButton: Locator;
  readonly traceRate: Locator;
  readonly traceDistortion: Locator;
  /** The points of the rate–distortion plane, their tooltip and the sweep's frontier. */
  readonly points: Locator;
  readonly tooltip: Locator;
  readonly frontier: Locator;

  constructor(readonly page: Page, private readonly hook: StudioHook) {
    this.panel = page.getByTestId('panel-rde');
    this.lambda = page.getByTestId('rde-lambda');
    this.lambdaSlider = page.getByTestId('rde-lambda-slider');
    this.rank = page.getByTestId('rde-rank');
    this.iterations = page.getByTestId('rde-iterations');
    this.plateau = page.getByTestId('rde-plateau');
    this.classSelect = page.getByTestId('rde-class');
    this.modeLabel = page.getByTestId('rde-mode-label');
    this.status = page.getByTestId('rde-status');
    this.cancelButton = page.getByTestId('rde-cancel');
    this.sweepButton = page.getByRole('button', { name: 'Sweep λ' });
    this.traceRate = page.getByTestId('trace-rate');
    this.traceDistortion = page.getByTestId('trace-distortion');
    this.points = page.getByTestId('rd-point');
    this.tooltip = page.getByTestId('rd-tooltip');
    this.frontier = page.getByTestId('rde-frontier');
  }

  /** The RDE part of the store's state. */
  async state(): Promise<RdeSnapshot> {
    return (await this.hook.snapshot()).rde;
  }

  private async enter(field: Locator, value: number | string): Promise<void> {
    await field.fill(String(value));
    await field.press('Enter');
  }

  setLambda(value: number | string): Promise<void> {
    return this.enter(this.lambda, value);
  }

  /** The rank slider (a range input: no Enter needed). */
  async setRank(value: number): Promise<void> {
    await this.rank.fill(String(value));
  }

  setIterations(n: number | string): Promise<void> {
    return this.enter(this.iterations, n);
  }

  /** 0 turns the early stop off, so a run uses its whole iteration budget. */
  setPlateau(value: number): Promise<void> {
    return this.enter(this.plateau, value);
  }

  async cancel(): Promise<void> {
    await this.cancelButton.click();
  }

  async sweep(): Promise<void> {
    await this.sweepButton.click();
  }

  /**
   * Waits for a finished run whose settings match `match`; returns the whole snapshot. Polls
   * every 200 ms, not every frame: the page's own main thread is under test.
   */
  waitForRun(match: Partial<RdeSnapshot['settings']> = {}, options: WaitOptions = {}): Promise<Snapshot> {
    return this.hook.waitFor((s, m) => s.rde.status === 'done'
      && Object.entries(m).every(([k, v]) => (s.rde.settings as Record<string, unknown>)[k] === v), match, { timeout: 110_000, polling: 200, ...options });
  }

  /**
   * Waits until a run (with `iterations` in its settings, when given) is running and has done at
   * least `done` iterations (1 by default).
   */
  waitForRunning(opts: { iterations?: number; done?: number } = {}, options: WaitOptions = {}): Promise<Snapshot> {
    return this.hook.waitFor((s, a) => s.rde.status === 'running' && (a.iterations === null || s.rde.settings.iterations === a.iterations)
      && s.rde.iterations >= a.done, { iterations: opts.iterations ?? null, done: opts.done ?? 1 }, options);
  }

  /** Waits until the run the page started by itself (for a new input or a link) has done an iteration, or has finished. */
  waitForStarted(options: WaitOptions = {}): Promise<Snapshot> {
    return this.hook.waitFor((s) => (s.rde.status === 'running' && s.rde.iterations >= 1) || s.rde.status === 'done', undefined, options);
  }

  /** Attaches a screenshot of the panel to the test's report. */
  async keepScreenshot(info: TestInfo, name: string): Promise<void> {
    await info.attach(name, { body: await this.panel.screenshot(), contentType: 'image/png' });
  }

  /**
   * Waits for the panel's finished run, then stops its Monte-Carlo check with the Stop button
   * unless it has finished (on software WebGPU it takes ~1.5 min): the estimate so far stays,
   * marked stopped, and the worker is free. Returns the check's status.
   */
  async stopCheck(): Promise<'done' | 'cancelled'> {
    await this.hook.waitFor((s) => s.rde.status === 'done', undefined, { polling: 200, timeout: 150_000 });
    const check = this.page.getByTestId('rde-check');
    await expect(check).toHaveAttribute('data-status', /^(queued|running|done)$/);
    if ((await check.getAttribute('data-status')) !== 'done') {
      await this.page.getByTestId('rde-check-stop').click();
      await expect(check).toHaveAttribute('data-status', /^(cancelled|done)$/);
    }
    const status = await check.getAttribute('data-status') as 'done' | 'cancelled';
    if (status === 'cancelled') await expect(check).toContainText(/Monte-Carlo check stopped|stopped at [\d,]+ samples/);
    await this.hook.waitFor((s) => !s.rde.verifying, undefined, { polling: 200, timeout: 30_000 });
    return status;
  }
}

/** The comparison grid: methods side by side, their parameters, normalisation and sign modes. */
export class ComparisonGrid {
  readonly panel: Locator;
  readonly toggle: Locator;

  constructor(readonly page: Page, private readonly hook: StudioHook) {
    this.panel = page.getByTestId('panel-compare');
    this.toggle = page.getByTestId('compare-toggle');
  }

  /** The comparison part of the store's state. */
  async state(): Promise<CompareSnapshot> {
    return (await this.hook.snapshot()).compare;
  }

  /** Opens the view with a click on its disclosure button. */
  async open(): Promise<void> {
    await this.toggle.click();
  }

  card(id: string): Locator {
    return this.page.getByTestId(`compare-card-${id}`);
  }

  status(id: string): Locator {
    return this.page.getByTestId(`compare-status-${id}`);
  }

  map(id: string): Locator {
    return this.page.getByTestId(`compare-map-${id}`);
  }

  check(id: string): Locator {
    return this.page.getByTestId(`compare-check-${id}`);
  }

  legendMax(id: string): Locator {
    return this.page.getByTestId(`compare-legend-max-${id}`);
  }

  legendMin(id: string): Locator {
    return this.page.getByTestId(`compare-legend-min-${id}`);
  }

  runButton(id: string): Locator {
    return this.page.getByTestId(`compare-run-${id}`);
  }

  cancelButton(id: string): Locator {
    return this.page.getByTestId(`compare-cancel-${id}`);
  }

  progress(id: string): Locator {
    return this.page.getByTestId(`compare-progress-${id}`);
  }

  percent(id: string): Locator {
    return this.page.getByTestId(`compare-percent-${id}`);
  }

  /** A parameter's field on a method's card, and the problem shown beside it. */
  param(id: string, name: string): Locator {
    return this.page.getByTestId(`compare-param-${id}-${name}`);
  }

  paramProblem(id: string, name: string): Locator {
    return this.page.getByTestId(`compare-param-${id}-${name}-problem`);
  }

  /** Opens a method's parameter form. */
  async showParams(id: string): Promise<void> {
    await this.page.getByTestId(`compare-params-${id}`).click();
  }

  /** Types a value into a parameter field and presses Enter. */
  async setParam(field: Locator, value: string): Promise<void> {
    await field.fill(value);
    await field.press('Enter');
  }

  normalisation(mode: 'per-map' | 'shared' | 'percentile'): Locator {
    return this.page.getByTestId(`compare-norm-${mode}`);
  }

  sign(mode: 'all' | 'positive' | 'negative' | 'absolute'): Locator {
    return this.page.getByTestId(`compare-sign-${mode}`);
  }

  /**
   * Waits until every method in `ids` has finished (each with `target` and on `backend` when
   * given, and with `param` at its value) and returns the comparison's state.
   */
  async waitFor(ids: string[], opts: { param?: { method: string; name: string; value: unknown }; target?: number; backend?: string } = {}): Promise<CompareSnapshot> {
    const s = await this.hook.waitFor((s, a) => a.ids.every((id) => {
      const m = s.compare.methods[id];
      return m?.status === 'done' && (a.target === null || m.target === a.target) && (a.backend === null || m.backend === a.backend);
    }) && (a.param === null || s.compare.methods[a.param.method].params?.[a.param.name] === a.param.value),
    { ids, param: opts.param ?? null, target: opts.target ?? null, backend: opts.backend ?? null }, { timeout: 90_000 });
    return s.compare;
  }

  /** Waits until a method's run is running with some progress. */
  async waitForProgress(id: string): Promise<void> {
    await this.hook.waitFor((s, i) => s.compare.methods[i]?.status === 'running' && s.compare.methods[i].progress > 0, id, { timeout: 60_000 });
  }

  /**
   * Starts watching the methods `ids` inside the page until all are done (every 5 ms): the most
   * that ran at once, and whether one was seen queued. Await the result after acting.
   */
  watchQueue(ids: string[]): Promise<{ maxRunning: number; sawQueued: boolean }> {
    return this.hook.eval(async (hook, ids) => {
      let maxRunning = 0;
      let sawQueued = false;
      const deadline = performance.now() + 90_000;
      while (performance.now() < deadline) {
        const methods = hook.snapshot().compare.methods;
        maxRunning = Math.max(maxRunning, ids.filter((id) => methods[id]?.status === 'running').length);
        sawQueued ||= ids.some((id) => methods[id]?.status === 'queued');
        if (ids.every((id) => methods[id]?.status === 'done')) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      return { maxRunning, sawQueued };
    }, ids);
  }

  /** Starts watching the progress values a method's run reports, in the page until it settles. */
  watchProgress(id: string): Promise<{ progress: number[]; status: string }> {
    return this.hook.eval(async (hook, id) => {
      const progress: number[] = [];
      const deadline = performance.now() + 90_000;
      let started = false;
      while (performance.now() < deadline) {
        const m = hook.snapshot().compare.methods[id];
        if (m?.status === 'running') {
          started = true;
          if (progress[progress.length - 1] !== m.progress) progress.push(m.progress);
        } else if (started || m?.status === 'done') return { progress, status: m?.status ?? 'none' };
        await new Promise((r) => setTimeout(r, 5));
      }
      return { progress, status: 'timeout' };
    }, id);
  }
}

/** The header: the backend picker, the model picker, and the message bar under them. */
export class StudioHeader {
  readonly backendSelect: Locator;
  readonly backendActive: Locator;
  readonly modelInput: Locator;
  readonly modelName: Locator;
  readonly builtinModel: Locator;
  readonly error: Locator;
  readonly info: Locator;

  constructor(readonly page: Page, private readonly hook: StudioHook) {
    this.backendSelect = page.getByTestId('backend-select');
    this.backendActive = page.getByTestId('backend-active');
    this.modelInput = page.getByTestId('model-file-input');
    this.modelName = page.getByTestId('model-name');
    this.builtinModel = page.getByTestId('builtin-model');
    this.error = page.getByTestId('message-error');
    this.info = page.getByTestId('message-info');
  }

  backendOption(backend: BackendName): Locator {
    return this.backendSelect.locator(`option[value="${backend}"]`);
  }

  /** The options' texts, "Auto (… here)" first. */
  backendOptions(): Promise<string[]> {
    return this.backendSelect.locator('option').allTextContents();
  }

  /** Chooses a backend in the select (without waiting for it). */
  async selectBackend(backend: BackendName | 'auto'): Promise<void> {
    await this.backendSelect.selectOption(backend);
  }

  /** Chooses a backend and waits until it is active and the worker is ready (model and image loaded). */
  async switchBackend(backend: BackendName): Promise<Snapshot> {
    await this.selectBackend(backend);
    await expect(this.backendActive).toHaveText(BACKEND_LABELS[backend]);
    return this.hook.waitFor((s, b) => s.backend === b && s.backendStatus === 'ready', backend, { polling: 100 });
  }

  /** Loads files with "Load your model…". */
  async loadModel(files: Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
    await this.modelInput.setInputFiles(files);
  }

  async backToBuiltinModel(): Promise<void> {
    await this.builtinModel.click();
  }

  /** Closes the message shown, if any. */
  async dismissMessage(): Promise<void> {
    const dismiss = this.page.locator('.messages').getByRole('button', { name: 'Dismiss message' });
    if (await dismiss.count()) await dismiss.click();
  }
}

/** The panels of one studio page. */
export interface StudioPanels {
  intake: IntakePanel;
  scores: ClassScores;
  relevance: RelevancePanel;
  rde: RdePanel;
  compare: ComparisonGrid;
  header: StudioHeader;
}

export interface StudioPage extends StudioPanels {
  page: Page;
  /** The typed test hook: `studio.hook.eval((h) => …)` runs in the page. */
  hook: StudioHook;
  snapshot(): Promise<Snapshot>;
  waitForMap(source?: string): Promise<Snapshot>;
  /** Waits until the RDE run has finished (status done) and returns the snapshot. */
  waitForRde(): Promise<Snapshot>;
  tensorCount(): Promise<number>;
  /** Loads `path` (a link) and waits for the model. */
  open(path?: string): Promise<void>;
  /** Console errors this test provokes on purpose (a simulated crash, a blocked script) are expected, not problems. */
  expectConsoleErrors(pattern: RegExp): void;
}

/** The panels' page objects for a page. */
export function studioPanels(page: Page, hook: StudioHook): StudioPanels {
  return {
    intake: new IntakePanel(page, hook),
    scores: new ClassScores(page, hook),
    relevance: new RelevancePanel(page),
    rde: new RdePanel(page, hook),
    compare: new ComparisonGrid(page, hook),
    header: new StudioHeader(page, hook),
  };
}

/** The studio page object of `page`; `expected` collects the console errors a test expects. */
export function studioPage(page: Page, expected: RegExp[]): StudioPage {
  const hook = new StudioHook(page);
  return {
    page,
    hook,
    ...studioPanels(page, hook),
    snapshot: () => hook.snapshot(),
    waitForMap: (source) => hook.waitForMap(source),
    // Done, and the mask's Monte-Carlo check over too (it holds tensors while it samples).
    waitForRde: () => hook.waitFor((s) => s.rde.status === 'done' && !s.rde.verifying, undefined, { timeout: 110_000, polling: 200 }),
    tensorCount: () => hook.tensorCount(),
    async open(path = '/') {
      await page.goto(path);
      await hook.waitForModel();
    },
    expectConsoleErrors: (pattern) => expected.push(pattern),
  };
}

/** Records console errors, page errors, dialogs and requests off the host of a page. */
export function watchPage(page: Page, problems: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog (${d.type()}): ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!/^(http:\/\/127\.0\.0\.1[:/]|blob:|data:)/.test(url)) problems.push(`request off the host: ${url}`);
  });
}

/** Fails the test with the problems no expected pattern explains. */
export function expectNoProblems(problems: string[], expected: RegExp[]): void {
  const unexpected = problems.filter((p) => !expected.some((re) => re.test(p)));
  expect(unexpected, unexpected.join('\n')).toEqual([]);
}

export interface StudioFixtures extends StudioPanels {
  studio: StudioPage;
}

export interface StudioOptions {
  /**
   * The address the page opens at before the test, with the model loaded; null opens nothing,
   * for specs whose every test opens its own link (`test.use({ startAt: null })`): one page load
   * instead of two.
   */
  startAt: string | null;
}

type PanelFixture<K extends keyof StudioPanels> = (fixtures: { studio: StudioPage }, use: (panel: StudioPanels[K]) => Promise<void>) => Promise<void>;

/** The panels as fixtures of their own (`async ({ rde }) => …`), for every fixture that has a studio. */
export const panelFixtures: { [K in keyof StudioPanels]: PanelFixture<K> } = {
  intake: async ({ studio }, use) => use(studio.intake),
  scores: async ({ studio }, use) => use(studio.scores),
  relevance: async ({ studio }, use) => use(studio.relevance),
  rde: async ({ studio }, use) => use(studio.rde),
  compare: async ({ studio }, use) => use(studio.compare),
  header: async ({ studio }, use) => use(studio.header),
};

/** A fresh page per test, opened at `startAt` ("/") with the model loaded. */
export const test = base.extend<StudioFixtures & StudioOptions>({
  startAt: ['/', { option: true }],
  studio: async ({ page, startAt }, use) => {
    const problems: string[] = [];
    const expected: RegExp[] = [];
    watchPage(page, problems);
    const studio = studioPage(page, expected);
    if (startAt !== null) await studio.open(startAt);
    await use(studio);
    expectNoProblems(problems, expected);
  },
  ...panelFixtures,
});

export { expect };

/** Drops a file on the drop zone as a browser drag would. */
export async function dropFile(page: Page, name: string, mimeType: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await page.evaluateHandle(({ name, mimeType, b64 }) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], name, { type: mimeType }));
    return dt;
  }, { name, mimeType, b64: bytes.toString('base64') });
  await page.dispatchEvent('[data-testid="dropzone"]', 'drop', { dataTransfer });
}

/** Pastes a file as the clipboard would deliver it. */
export async function pasteFile(page: Page, name: string, mimeType: string, bytes: Buffer): Promise<void> {
  await page.evaluate(({ name, mimeType, b64 }) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], name, { type: mimeType }));
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, { name, mimeType, b64: bytes.toString('base64') });
}
