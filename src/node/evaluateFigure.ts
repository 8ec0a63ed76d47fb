// The evaluation's figure as SVG text (no DOM in Node): the mean relevance-ordering curve per
// method with a ± 1 standard-error band over images, Okabe–Ito colours (colour-blind safe) with a
// dash pattern once they repeat, a legend, axis labels with units. Ticks from d3-scale.
import { createRequire } from 'node:module';
import { scaleLinear } from 'd3-scale';
import type { CurveProtocol } from '../core/evaluate/types';

export interface FigureCurve {
  method: string;
  rates: number[];
  distortion: number[];
  stderr: number[];
}

/** Okabe & Ito (2008), without yellow (too faint on white) and black (kept for the random baseline). */
export const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'] as const;
const DASHES = ['', '6 3', '2 2', '8 3 2 3'];
const RANDOM_COLOUR = '#000000';

const Y_LABEL: Record<CurveProtocol, string> = {
  paper: 'Distortion (p(y) − p(x))², probability²',
  studio: 'Distortion ½(Φ(x) − Φ(y))², logit²',
};

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => (Math.round(v * 100) / 100).toString();

/** Colour and dash of the i-th method; the random map is black and dashed. */
export function curveStyle(method: string, i: number): { colour: string; dash: string } {
  if (method === 'random') return { colour: RANDOM_COLOUR, dash: '4 3' };
  return { colour: OKABE_ITO[i % OKABE_ITO.length], dash: DASHES[Math.floor(i / OKABE_ITO.length) % DASHES.length] };
}

export function renderCurvesSvg(curves: FigureCurve[], about: { protocol: CurveProtocol; samples: number; model: string; images: number }): string {
  const width = 760, height = 460;
  const m = { top: 40, right: 230, bottom: 52, left: 72 };
  const drawn = curves.filter((c) => c.rates.length > 0);
  const maxRate = Math.max(0.01, ...drawn.map((c) => c.rates[c.rates.length - 1]));
  const maxY = Math.max(1e-12, ...drawn.flatMap((c) => c.distortion.map((d, i) => d + c.stderr[i])));
  const x = scaleLinear().domain([0, maxRate * 100]).range([m.left, width - m.right]);
  const y = scaleLinear().domain([0, maxY]).nice().range([height - m.bottom, m.top]);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${m.left}" y="22" font-size="14">${escape(`Relevance-ordering curves, ${about.model}, ${about.protocol} protocol, N = ${about.samples}, ${about.images} image${about.images === 1 ? '' : 's'}`)}</text>`);
  // Axes and grid.
  for (const t of x.ticks(8)) {
    parts.push(`<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${height - m.bottom}" y2="${height - m.bottom + 5}" stroke="#333"/>`);
    parts.push(`<text x="${num(x(t))}" y="${height - m.bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  for (const t of y.ticks(6)) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${num(y(t))}" y2="${num(y(t))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 8}" y="${num(y(t) + 4)}" text-anchor="end">${y.tickFormat(6)(t)}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" stroke="#333"/>`);
  parts.push(`<text x="${num((m.left + width - m.right) / 2)}" y="${height - 12}" text-anchor="middle">Rate: components kept from x, % of d</text>`);
  parts.push(`<text transform="translate(18 ${num((m.top + height - m.bottom) / 2)}) rotate(-90)" text-anchor="middle">${escape(Y_LABEL[about.protocol])}</text>`);
  // Bands first, lines over them.
  curves.forEach((c, i) => {
    if (!c.rates.length) return;
    const { colour } = curveStyle(c.method, i);
    const upper = c.rates.map((r, j) => `${num(x(r * 100))},${num(y(c.distortion[j] + c.stderr[j]))}`);
    const lower = c.rates.map((r, j) => `${num(x(r * 100))},${num(y(Math.max(0, c.distortion[j] - c.stderr[j])))}`).reverse();
    parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour}" fill-opacity="0.15" stroke="none"/>`);
  });
  curves.forEach((c, i) => {
    if (!c.rates.length) return;
    const { colour, dash } = curveStyle(c.method, i);
    const points = c.rates.map((r, j) => `${num(x(r * 100))},${num(y(c.distortion[j]))}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${escape(c.method)}</title></polyline>`);
  });
  // Legend.
  const lx = width - m.right + 16;
  parts.push(`<text x="${lx}" y="${m.top}" font-weight="bold">Method (band: ± 1 s.e.)</text>`);
  curves.forEach((c, i) => {
    const { colour, dash } = curveStyle(c.method, i);
    const ly = m.top + 20 + i * 20;
    parts.push(`<line x1="${lx}" x2="${lx + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    const label = c.method.length > 26 ? `${c.method.slice(0, 25)}…` : c.method;
    parts.push(`<text x="${lx + 34}" y="${ly}">${escape(label)}${c.rates.length ? '' : ' (failed)'}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** The SVG as a PNG at twice its size through @resvg/resvg-js, or null when it is not installed. */
export function svgToPng(svg: string): Buffer | null {
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    ({ Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js'));
  } catch {
    return null;
  }
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
