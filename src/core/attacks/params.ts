// The fragility attack's parameters as a zod schema (like core/rde/params.ts): the CLI, the study
// script and the page's panel read the same defaults, bounds and help from it. No tfjs here.
import { z } from 'zod';
import { paramDescriptors, type ParamDescriptor } from '../methods/params';

export const ATTACKS = ['topk', 'masscenter', 'targeted'] as const;
export type AttackName = typeof ATTACKS[number];

export const ATTACK_LABELS: Record<AttackName, string> = {
  topk: 'Top-k',
  masscenter: 'Mass centre',
  targeted: 'Targeted',
};

/** How δ is searched: 'gradient' differentiates the map on the softplus network; 'black-box' is a random search calling the method's own explain. */
export const ATTACK_KINDS = ['auto', 'gradient', 'black-box'] as const;
export type AttackKindChoice = typeof ATTACK_KINDS[number];
export type AttackKind = Exclude<AttackKindChoice, 'auto'>;

/** The methods the gradient attack can differentiate (core/attacks/smoothMaps.ts); every other method gets the black-box attack. */
export const DIFFERENTIABLE_METHODS = ['gradient', 'gradient-input', 'smoothgrad', 'integrated-gradients'] as const;

export function isDifferentiableMethod(id: string): boolean {
  return (DIFFERENTIABLE_METHODS as readonly string[]).includes(id);
}

/**
 * Why the gradient attack cannot run on this method and network, or null: the method must build
 * its map from tf.grad (DIFFERENTIABLE_METHODS) and the network must have a smooth stand-in
 * (`smoothProblem`, from core/attacks/smoothMaps.ts smoothNetProblem). One text for the core, the
 * panel and the CLI.
 */
export function gradientAttackProblem(methodId: string, methodLabel: string, smoothProblem: string | null): string | null {
  if (!isDifferentiableMethod(methodId)) {
    return `${methodLabel} is not differentiable with respect to the input in a way the gradient attack can use (it needs the map as a function of x built from tf.grad); use the black-box attack (kind black-box).`;
  }
  if (smoothProblem) return `The gradient attack needs a smooth stand-in of the network, and ${smoothProblem}. Use the black-box attack (kind black-box) instead.`;
  return null;
}

/** Seeds feed mulberry32, which keeps 32 bits. */
const MAX_SEED = 2 ** 32 - 1;

export const attackParams = z.object({
  attack: z.enum(ATTACKS).default('topk').meta({
    title: 'Attack',
    description: 'top-k: lower the relevance of the original map\'s k most relevant pixels; mass centre: move the centre of mass of |R| as far as possible; targeted: make the map match a target map (Dombrowski et al.).',
    optionLabels: ATTACK_LABELS,
  }),
  epsilon: z.number().positive().max(1e6).default(8 / 255).meta({
    title: 'ε',
    description: 'The largest change of any input component, ‖δ‖∞ ≤ ε, in the model\'s input units (8/255 of a [0, 1] range by default); it must not exceed the width of the input range.',
  }),
  iterations: z.number().int().min(1).max(10_000).default(100).meta({
    title: 'Iterations',
    description: 'Steps of the attack (each one map of the real network at the new input).',
  }),
  step: z.number().min(0).max(1e6).default(0).meta({
    title: 'Step',
    description: 'Size of a signed-gradient (or random-search) step in input units; 0: ε·min(1, 4/iterations), so the walk can cross the ε-ball in a quarter of the iterations.',
  }),
  k: z.number().int().min(0).max(1e7).default(0).meta({
    title: 'k',
    description: 'How many of the most relevant pixels the top-k measures follow; 0: 10 % of the pixels (78 on 28 × 28).',
  }),
  beta: z.number().positive().max(1e4).default(20).meta({
    title: 'β (softplus)',
    description: 'The gradient attack differentiates the map of the network with every ReLU replaced by softplus_β(z) = log(1 + e^{βz})/β (Dombrowski et al. use 10–30); larger is closer to ReLU and rougher.',
  }),
  gamma: z.number().min(0).max(1e9).default(1e3).meta({
    title: 'γ (targeted)',
    description: 'Weight of ‖p(x + δ) − p(x)‖² (the class probabilities) in the targeted loss ‖h(x + δ) − hᵗ‖² + γ‖p(x + δ) − p(x)‖².',
  }),
  kind: z.enum(ATTACK_KINDS).default('auto').meta({
    title: 'Search',
    description: 'auto: the gradient attack for gradient, gradient × input, SmoothGrad and Integrated Gradients, the black-box random search for the rest; gradient or black-box to force one.',
    optionLabels: { auto: 'Automatic', gradient: 'Gradient (softplus network)', 'black-box': 'Black-box random search' },
  }),
  halvings: z.number().int().min(0).max(30).default(4).meta({
    title: 'Step halvings',
    description: 'A step that changes the predicted label is retried at half the size this many times, then skipped.',
  }),
  seed: z.number().int().min(0).max(MAX_SEED).default(0).meta({
    title: 'Seed',
    description: 'Seed of the random draws (the mass-centre start, the black-box proposals, the random baseline, the methods\' own noise).',
  }),
});
export type AttackParams = z.infer<typeof attackParams>;

export const ATTACK_FIELDS = Object.fromEntries(paramDescriptors(attackParams).map((d) => [d.name, d])) as Record<keyof AttackParams, ParamDescriptor>;

/** Parses attack parameters, naming the first bad field and its rule. */
export function parseAttackParams(raw: Record<string, unknown>): AttackParams {
  const parsed = attackParams.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0] ?? '');
  const rule = issue.code === 'invalid_value' ? `must be one of ${issue.values.join(', ')}` : issue.message;
  throw new Error(`Attack parameter ${name}: ${rule}; got ${JSON.stringify(raw[name])}.`);
}

/** The step the attack takes: the given one, or ε·min(1, 4/iterations) when it is 0. */
export function attackStep(p: Pick<AttackParams, 'epsilon' | 'iterations' | 'step'>): number {
  return p.step > 0 ? p.step : p.epsilon * Math.min(1, 4 / p.iterations);
}

/** A box of pixels [x0, x1) × [y0, y1) (x: column, y: row), half-open. */
export interface PixelBox { x0: number; y0: number; x1: number; y1: number }

/**
 * The box clipped to a height × width image, or an Error when it holds no pixel there (x1 ≤ x0,
 * y1 ≤ y0, or wholly outside).
 */
export function clipTargetRegion(box: PixelBox, height: number, width: number): PixelBox {
  for (const [name, v] of Object.entries(box)) {
    if (!Number.isInteger(v)) throw new Error(`The target region's ${name} must be a whole number of pixels; got ${v}.`);
  }
  const clipped = {
    x0: Math.max(0, box.x0), y0: Math.max(0, box.y0), x1: Math.min(width, box.x1), y1: Math.min(height, box.y1),
  };
  if (clipped.x1 <= clipped.x0 || clipped.y1 <= clipped.y0) {
    throw new Error(`The target region x ${box.x0}–${box.x1}, y ${box.y0}–${box.y1} (half-open, in pixels) holds no pixel of the ${width} × ${height} image; give x0 < x1 and y0 < y1 inside it.`);
  }
  return clipped;
}

/**
 * The range an attack projects into: the model's stated input range (meta.json inputRange), else
 * the input's own min and max. One rule for the page's worker, its panel and the CLI.
 */
export function attackRange(stated: [number, number] | null | undefined, pixels: ArrayLike<number>): [number, number] {
  if (stated) return stated;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    lo = Math.min(lo, pixels[i]);
    hi = Math.max(hi, pixels[i]);
  }
  return [lo, hi];
}

/** Checks ε against the input range [lo, hi]: ε must be > 0 and at most hi − lo. */
export function checkEpsilon(epsilon: number, range: [number, number]): void {
  const [lo, hi] = range;
  if (!(hi > lo)) throw new Error(`The input range [${lo}, ${hi}] is empty.`);
  if (!(epsilon > 0)) throw new Error(`ε must be greater than 0; got ${epsilon}.`);
  if (epsilon > hi - lo) throw new Error(`ε = ${epsilon} is larger than the input range [${lo}, ${hi}] (width ${hi - lo}); an ε-ball that big is no small perturbation.`);
}
