export { lrpMethod } from './lrp';
export { deepTaylorMethod } from './deepTaylor';
