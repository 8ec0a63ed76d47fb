// Writes the bundled test digits: held-out MNIST digits (never trained on) as PNG files,
// drawn larger and in both polarities so they exercise the preprocessing like real images.
// Usage: npm run digits [-- --per-class 2]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnistSplit, PIXELS } from '../src/node/mnistData';
import { writePng } from '../src/node/imageFiles';
import { PROJECT_ROOT } from '../src/node/modelFiles';
import { parseFlags } from '../src/node/flags';

const { flags } = parseFlags(process.argv.slice(2));
const perClass = Number(flags['per-class'] ?? 2);
const SCALE = 4;
const { heldOut } = loadMnistSplit();
const dir = join(PROJECT_ROOT, 'public', 'digits');
mkdirSync(dir, { recursive: true });
const index: Array<{ file: string; label: number; source: string; polarity: string }> = [];
for (let label = 0; label < 10; label++) {
  const members = Array.from({ length: heldOut.count }, (_, i) => i).filter((i) => heldOut.labels[i] === label).slice(0, perClass);
  members.forEach((i, j) => {
    const darkOnLight = j % 2 === 0;
    const size = 28 * SCALE;
    const data = new Uint8Array(size * size * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = heldOut.images[i * PIXELS + Math.floor(y / SCALE) * 28 + Math.floor(x / SCALE)];
        const g = Math.round(255 * (darkOnLight ? 1 - v : v));
        data.set([g, g, g, 255], (y * size + x) * 4);
      }
    }
    const file = `digit-${label}-${j}.png`;
    writePng(join(dir, file), { width: size, height: size, data });
    index.push({ file, label, source: `mnist/src/digits/${label}.json #${heldOut.sourceIndex[i]}`, polarity: darkOnLight ? 'dark-on-light' : 'light-on-dark' });
  });
}
writeFileSync(join(dir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
console.log(`wrote ${index.length} held-out digits to ${dir}`);
