// The page's one run executor (store/runExecutor.ts), bound to the supervised compute worker.
import { proxyCallback, studioWorker } from '../worker/client';
import { RunExecutor } from './runExecutor';
import { newRunId } from './runIds';

export const runs = new RunExecutor({ worker: () => studioWorker(), proxy: proxyCallback, newRunId });
