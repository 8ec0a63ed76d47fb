import type * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { Net } from '../net/ir';
import type { ReferenceDistribution } from '../reference/distribution';
import type { MethodUnit } from './units';

export type MethodFamily = 'gradient' | 'rde' | 'propagation' | 'game-theoretic' | 'baseline';

export type MethodCost = 'cheap' | 'expensive';

export interface ExplainContext {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  seed?: number;
  /** The model's reference distribution V, for methods that obfuscate with it (RDE). */
  reference?: ReferenceDistribution;
  /** A previous relevance map to start from (iterative methods: RDE's s). */
  warmStart?: Float32Array;
  /**
   * Per-iteration records of iterative methods, streamed as they happen, with a getter for the
   * relevance reached so far (call it only when you will draw it: it reads the mask back).
   */
  onIteration?: (record: Record<string, number>, current: () => Float32Array) => void;
}

/**
 * An axiom a method promises, checked on this run: completeness (Integrated Gradients),
 * conservation (LRP), efficiency (Shapley). `sum` is Σ relevance, `expected` what the axiom
 * says it should be; the UI shows both and their gap.
 */
export interface AxiomCheck {
  axiom: 'completeness' | 'conservation' | 'efficiency';
  sum: number;
  expected: number;
}

/** How many single-input network passes a run used (a batch of 64 counts as 64). */
export interface PassCount {
  forward: number;
  backward: number;
}

/** Passes a run will take at most; `mayStopEarly`: it stops on its own before that (RDE). */
export interface PassEstimate extends PassCount {
  mayStopEarly?: boolean;
}

export interface Explanation {
  /** Relevance per input component, NHWC, same shape as the input. */
  relevance: Float32Array;
  shape: number[];
  check?: AxiomCheck;
  passes?: PassCount;
  /** Method-specific extras (traces, checks), plain data only. */
  extras?: Record<string, unknown>;
}

export interface Method<S extends z.ZodObject = z.ZodObject> {
  id: string;
  label: string;
  family: MethodFamily;
  description: string;
  formula: string;
  params: S;
  /** What the relevance is measured in (core/methods/units.ts): maps share a colour range only within a unit. */
  unit: MethodUnit;
  /** 'gradient': works on any differentiable model; 'propagation': needs every layer in the IR. */
  requires: 'gradient' | 'propagation';
  /**
   * 'cheap': under half a second on the built-in model with default parameters (measured with
   * `npm run cli -- explain` on wasm: occlusion and Integrated Gradients ≈ 0.45 s, the rest less;
   * KernelSHAP and LIME ≈ 1.1 s, Shapley sampling 4 s, exact Shapley 80 s, RDE longer). The
   * studio may run a cheap method unasked, e.g. when the input changes. Absent means expensive:
   * it runs only when asked, with progress and cancel.
   */
  cost?: MethodCost;
  /**
   * The single-input network passes a run will take at most, from the parameters and the input's
   * shape, before it starts (the time estimate an expensive run shows; store and worker scale it
   * by a measured time per pass). Absent: one forward and one backward pass.
   */
  estimate?(params: z.infer<S>, input: { shape: [number, number, number] }): PassEstimate;
  explain(net: Net, x: tf.Tensor4D, target: number, params: z.infer<S>, ctx: ExplainContext): Promise<Explanation>;
}

export class AbortedError extends Error {
  constructor() {
    super('The run was cancelled.');
    this.name = 'AbortedError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortedError();
}
