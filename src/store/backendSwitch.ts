// What a backend switch keeps and what it recomputes, stated once: the backend picker says it,
// and the actions follow it (actions.ts chooseBackend, compareActions.ts
// refreshCompareKeepingFinished, the RDE points that the switch leaves alone).

/** The measured agreement of the backends (e2e/backendMatrix.spec.ts, docs/reliability.md: largest error 1.6e-6 of max |R|). */
export const BACKEND_AGREEMENT = '1e-6';

export const BACKEND_SWITCH_RULE = 'A switch computes the class scores, the relevance map, the RDE mask and the quick comparison maps again on the new backend; '
  + `finished RDE points and expensive comparison maps are kept, each labelled with the backend that computed it (the backends agree to about ${BACKEND_AGREEMENT}).`;
