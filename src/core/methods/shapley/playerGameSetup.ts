import type * as tf from '@tensorflow/tfjs';
import type { Net } from '../../net/ir';
import type { ExplainContext, Explanation } from '../types';
import { throwIfAborted } from '../types';
import { absentFills, type AbsentMode } from './absent';
import type { CoalitionValues, EvaluationOptions } from './coalitions';
import { maskedScores, playerGame } from './maskedScores';
import type { PlayerParams } from './params';
import { gridPlayers, spreadToPixels, superpixelPlayers, type PlayerMap } from './players';

export interface PixelScoring {
  x: Float32Array;
  shape: [number, number, number];
  /** Φ_target for pixel masks (1 = keep x), averaged over the fills. */
  scores: CoalitionValues;
  passes: { forward: number };
  /** Options for evaluateCoalitions: as many coalitions per call as fit `batch` network inputs. */
  evaluation: EvaluationOptions;
}

/** The input as an array and the masked-score function of METHODS.md 5 for one input and class. */
export async function pixelScoring(
  net: Net, x: tf.Tensor4D, target: number,
  p: { baseline: AbsentMode; blurSigma: number; referenceSamples: number; batch: number }, ctx: ExplainContext,
): Promise<PixelScoring> {
  throwIfAborted(ctx.signal);
  const shape = net.inputShape;
  if (x.shape[0] !== 1 || x.shape.slice(1).some((s, i) => s !== shape[i])) {
    throw new Error(`This method explains one input of shape [1, ${shape.join(', ')}]; got [${x.shape.join(', ')}].`);
  }
  const xs = Float32Array.from(await x.data());
  const fills = await absentFills(xs, shape, p.baseline, {
    reference: ctx.reference, blurSigma: p.blurSigma, samples: p.referenceSamples, seed: ctx.seed ?? 0,
  });
  const passes = { forward: 0 };
  return {
    x: xs, shape, passes,
    scores: maskedScores(net, xs, target, fills, { maxInputs: p.batch, passes }),
    evaluation: { batch: Math.max(1, Math.floor(p.batch / fills.length)), onProgress: ctx.onProgress, signal: ctx.signal },
  };
}

export interface PlayerGame extends PixelScoring {
  players: PlayerMap;
  /** v(S) = Φ_target of x with the players outside S absent. */
  game: CoalitionValues;
}

/** The players (grid or SLIC) and their game for one input and class. */
export async function playerGameFor(net: Net, x: tf.Tensor4D, target: number, p: PlayerParams, ctx: ExplainContext): Promise<PlayerGame> {
  const scoring = await pixelScoring(net, x, target, p, ctx);
  const [h, w] = scoring.shape;
  const players = p.players === 'grid'
    ? gridPlayers(h, w, p.patch)
    : superpixelPlayers(scoring.x, scoring.shape, p.segments, p.compactness);
  return { ...scoring, players, game: playerGame(players, scoring.scores) };
}

/**
 * The explanation from player values: relevance = value / player size per component (see
 * spreadToPixels); extras hold the player values and the player of each pixel (plain arrays, so
 * they survive JSON for the CLI).
 */
export function playerExplanation(setup: PlayerGame, values: Float64Array, extras: Record<string, unknown>): Explanation {
  return {
    relevance: spreadToPixels(values, setup.players, setup.shape[2]),
    shape: [1, ...setup.shape],
    passes: { forward: setup.passes.forward, backward: 0 },
    extras: { playerValues: Array.from(values), players: Array.from(setup.players.ids), playerCount: setup.players.count, ...extras },
  };
}

/** The efficiency axiom of Shapley values: Σ relevance (= Σφ) against v(N) − v(∅). */
export function efficiencyCheck(relevance: Float32Array, empty: number, full: number): Explanation['check'] {
  return { axiom: 'efficiency', sum: relevance.reduce((a, b) => a + b, 0), expected: full - empty };
}
