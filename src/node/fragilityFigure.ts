// The fragility study's summary (docs/fragility.md; scripts/fragilityStudy.ts): medians per method
// and ε of the attack's and the random baseline's measures, and the figure as SVG text (no DOM in
// Node): one panel per measure (top-k intersection, Spearman), ε on a log₂ axis, one colour per
// method, the attack solid with dots, random signs at the same ε dashed. Ticks from d3-scale.
import { scaleLinear, scaleLog } from 'd3-scale';
import { OKABE_ITO } from './evaluateFigure';
import { median } from '../core/util/median';

export interface StudyMeasures { topkIntersection: number; spearman: number; massCentreShift: number; ssim: number | null; labelKept: boolean; linf: number }

/** One line of the study's JSONL: one digit, method, attack and ε. */
export interface StudyRow {
  digit: number;
  method: string;
  kind: string;
  attack: string;
  epsilon255: number;
  iterations: number;
  attacked: StudyMeasures;
  random: StudyMeasures;
}

export interface StudyGroup {
  method: string;
  kind: string;
  attack: string;
  iterations: number;
  epsilon255: number;
  digits: number;
  attacked: { topkIntersection: number; spearman: number; massCentreShift: number };
  random: { topkIntersection: number; spearman: number; massCentreShift: number };
  /** Digits whose attack kept the class / whose random signs kept it. */
  keptAttack: number;
  keptRandom: number;
  /** Digits where the attack's top-k intersection is below the random baseline's. */
  belowRandom: number;
}

/** Medians per (method, search, attack, iterations, ε), in the rows' order of methods, ε ascending. */
export function summariseStudy(rows: StudyRow[]): StudyGroup[] {
  const groups = new Map<string, StudyRow[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.method, r.kind, r.attack, r.iterations, r.epsilon255]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const methodOrder = [...new Set(rows.map((r) => r.method))];
  return [...groups.values()].map((g): StudyGroup => {
    const pick = (f: (m: StudyMeasures) => number, side: 'attacked' | 'random') => median(g.map((r) => f(r[side])));
    const measures = (side: 'attacked' | 'random') => ({
      topkIntersection: pick((m) => m.topkIntersection, side), spearman: pick((m) => m.spearman, side), massCentreShift: pick((m) => m.massCentreShift, side),
    });
    return {
      method: g[0].method, kind: g[0].kind, attack: g[0].attack, iterations: g[0].iterations, epsilon255: g[0].epsilon255, digits: g.length,
      attacked: measures('attacked'), random: measures('random'),
      keptAttack: g.filter((r) => r.attacked.labelKept).length, keptRandom: g.filter((r) => r.random.labelKept).length,
      belowRandom: g.filter((r) => r.attacked.topkIntersection < r.random.topkIntersection).length,
    };
  }).sort((a, b) => methodOrder.indexOf(a.method) - methodOrder.indexOf(b.method) || a.kind.localeCompare(b.kind) || a.iterations - b.iterations || a.epsilon255 - b.epsilon255);
}

/** Okabe–Ito, then three of Paul Tol's muted colours for the seventh method on (no repeat, no dash: dashes mean random signs). */
const PALETTE = [...OKABE_ITO, '#882255', '#999933', '#332288'];

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => (Math.round(v * 100) / 100).toString();

/** The figure: median top-k intersection and Spearman against ε, attack solid, random dashed. */
export function renderStudySvg(groups: StudyGroup[], title: string): string {
  const panel = { width: 330, height: 300 };
  const m = { top: 56, right: 24, bottom: 52, left: 64 };
  const legendWidth = 390;
  const width = m.left + 2 * (panel.width + m.right) + legendWidth;
  const height = m.top + panel.height + m.bottom;
  const idOf = (g: StudyGroup) => `${g.method}|${g.kind}|${g.iterations}`;
  const methods = [...new Set(groups.map(idOf))];
  const epsilons = [...new Set(groups.map((g) => g.epsilon255))].sort((a, b) => a - b);
  const lo = Math.min(0.5, ...groups.flatMap((g) => [g.attacked.topkIntersection, g.attacked.spearman, g.random.topkIntersection, g.random.spearman]));
  const y = scaleLinear().domain([Math.floor(lo * 10) / 10, 1]).range([m.top + panel.height, m.top]);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${m.left}" y="22" font-size="14">${escape(title)}</text>`);
  const measures: Array<['topkIntersection' | 'spearman', string]> = [['topkIntersection', 'median top-k intersection'], ['spearman', 'median Spearman rank correlation']];
  measures.forEach(([key, label], p) => {
    const left = m.left + p * (panel.width + m.right);
    const x = scaleLog().base(2).domain([epsilons[0] ?? 1, epsilons[epsilons.length - 1] ?? 8]).range([left + 14, left + panel.width - 14]);
    parts.push(`<text x="${left}" y="${m.top - 12}" font-size="13">${escape(label)}</text>`);
    for (const t of y.ticks(6)) {
      parts.push(`<line x1="${left}" x2="${left + panel.width}" y1="${num(y(t))}" y2="${num(y(t))}" stroke="#e0e0e0"/>`);
      parts.push(`<text x="${left - 6}" y="${num(y(t) + 4)}" text-anchor="end">${t.toFixed(1)}</text>`);
    }
    for (const e of epsilons) {
      parts.push(`<line x1="${num(x(e))}" x2="${num(x(e))}" y1="${m.top + panel.height}" y2="${m.top + panel.height + 5}" stroke="#333"/>`);
      parts.push(`<text x="${num(x(e))}" y="${m.top + panel.height + 18}" text-anchor="middle">${e}/255</text>`);
    }
    parts.push(`<line x1="${left}" x2="${left + panel.width}" y1="${m.top + panel.height}" y2="${m.top + panel.height}" stroke="#333"/>`);
    parts.push(`<line x1="${left}" x2="${left}" y1="${m.top}" y2="${m.top + panel.height}" stroke="#333"/>`);
    parts.push(`<text x="${left + panel.width / 2}" y="${height - 10}" text-anchor="middle">ε (of the input range, log scale)</text>`);
    methods.forEach((id, i) => {
      const colour = PALETTE[i % PALETTE.length];
      const line = groups.filter((g) => idOf(g) === id).sort((a, b) => a.epsilon255 - b.epsilon255);
      const path = (side: 'attacked' | 'random') => line.map((g, k) => `${k ? 'L' : 'M'}${num(x(g.epsilon255))},${num(y(g[side][key]))}`).join('');
      parts.push(`<path d="${path('random')}" fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="5 4" data-method="${escape(id)}" data-side="random" data-measure="${key}"/>`);
      parts.push(`<path d="${path('attacked')}" fill="none" stroke="${colour}" stroke-width="2.5" data-method="${escape(id)}" data-side="attack" data-measure="${key}"/>`);
      for (const g of line) parts.push(`<circle cx="${num(x(g.epsilon255))}" cy="${num(y(g.attacked[key]))}" r="3" fill="${colour}"/>`);
    });
  });
  // Legend.
  const lx = m.left + 2 * (panel.width + m.right) + 10;
  methods.forEach((id, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const own = groups.filter((k) => idOf(k) === id);
    const g = { ...own[0], digits: Math.max(...own.map((k) => k.digits)) };
    const yy = m.top + 10 + i * 22;
    parts.push(`<line x1="${lx}" x2="${lx + 26}" y1="${yy}" y2="${yy}" stroke="${colour}" stroke-width="2.5"/>`);
    parts.push(`<text x="${lx + 32}" y="${yy + 4}">${escape(`${g.method} (${g.kind}, ${g.digits} digits)`)}</text>`);
  });
  const ly = m.top + 10 + methods.length * 22 + 10;
  parts.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="#000" stroke-width="2.5"/><text x="${lx + 32}" y="${ly + 4}">attack</text>`);
  parts.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly + 20}" y2="${ly + 20}" stroke="#000" stroke-width="2" stroke-dasharray="5 4"/><text x="${lx + 32}" y="${ly + 24}">random signs, same ε</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
