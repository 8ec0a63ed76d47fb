// The game-theoretic and surrogate methods of METHODS.md 5, for the registry.
export { shapleyExactMethod } from './shapleyExactMethod';
export { shapleySamplingMethod } from './shapleySamplingMethod';
export { kernelShapMethod } from './kernelShapMethod';
export { limeMethod } from './limeMethod';
export { occlusionMethod } from './occlusionMethod';
