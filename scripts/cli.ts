// The studio without the page: npm run cli -- <predict|explain|distortion|evaluate|methods|help> [flags]
import { runCli } from '../src/node/cli';

process.exitCode = await runCli(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) });
