// Headless evaluation over the held-out digits: npm run evaluate -- [merge|sanity] [flags]
// (src/node/evaluateRun.ts; docs/evaluation.md).
import { runEvaluate } from '../src/node/evaluateRun';

process.exitCode = await runEvaluate(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  progress: process.stderr,
});
