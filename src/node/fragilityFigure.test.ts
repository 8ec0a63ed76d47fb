// The study's summary against medians computed by hand, and the figure's structure (one attack
// and one random path per method and measure, through every ε, inside the plot).
import { describe, expect, it } from 'vitest';
import { renderStudySvg, summariseStudy, type StudyMeasures, type StudyRow } from './fragilityFigure';

const measures = (topk: number, spearman: number, kept = true): StudyMeasures => ({ topkIntersection: topk, spearman, massCentreShift: 1 - topk, ssim: null, labelKept: kept, linf: 0.01 });
const row = (digit: number, method: string, epsilon255: number, attack: StudyMeasures, random: StudyMeasures): StudyRow => ({
  digit, method, kind: method === 'lrp' ? 'black-box' : 'gradient', attack: 'topk', epsilon255, iterations: 30, attacked: attack, random,
});

describe('the fragility study summary', () => {
  const rows: StudyRow[] = [
    row(0, 'gradient', 8, measures(0.6, 0.5), measures(0.8, 0.9)),
    row(1, 'gradient', 8, measures(0.7, 0.4, false), measures(0.7, 0.8)),
    row(2, 'gradient', 8, measures(0.9, 0.6), measures(0.85, 0.7)),
    row(3, 'gradient', 8, measures(0.5, 0.3), measures(0.9, 0.95)),
    row(0, 'gradient', 2, measures(0.9, 0.9), measures(0.95, 0.95)),
    row(0, 'lrp', 2, measures(1, 1), measures(1, 1)),
    row(0, 'lrp', 8, measures(0.95, 0.97), measures(0.97, 0.96)),
  ];

  it('medians per method and ε (an even count averages the middle two), kept classes and digits below random', () => {
    const groups = summariseStudy(rows);
    expect(groups.map((g) => `${g.method} ${g.epsilon255}`)).toEqual(['gradient 2', 'gradient 8', 'lrp 2', 'lrp 8']);
    const g8 = groups[1];
    expect(g8.digits).toBe(4);
    // Sorted 0.5, 0.6, 0.7, 0.9: median (0.6 + 0.7) / 2; random 0.7, 0.8, 0.85, 0.9: 0.825.
    expect(g8.attacked.topkIntersection).toBeCloseTo(0.65, 12);
    expect(g8.random.topkIntersection).toBeCloseTo(0.825, 12);
    expect(g8.attacked.spearman).toBeCloseTo(0.45, 12);
    expect(g8.random.spearman).toBeCloseTo(0.85, 12);
    expect(g8.keptAttack).toBe(3);
    expect(g8.keptRandom).toBe(4);
    // Digits 0 and 3 are below random; digit 1 ties (0.7 = 0.7); digit 2 is above.
    expect(g8.belowRandom).toBe(2);
    expect(groups[2].kind).toBe('black-box');
  });

  it('the figure: per method and measure an attack path and a random path through each ε', () => {
    const svg = renderStudySvg(summariseStudy(rows), 'Test & title');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Test &amp; title');
    const paths = [...svg.matchAll(/<path d="([^"]+)"[^>]*data-method="([^"]+)" data-side="(\w+)" data-measure="(\w+)"/g)];
    expect(paths).toHaveLength(2 * 2 * 2);
    for (const [, d] of paths) expect(d.split('L')).toHaveLength(2);
    // Every point inside the 330 × 300 panels (y from 56 to 356).
    for (const [, d] of paths) {
      for (const [, , yy] of d.matchAll(/[ML]([\d.]+),([\d.]+)/g)) expect(Number(yy)).toBeGreaterThanOrEqual(56);
    }
    expect(svg).toContain('gradient (gradient, 4 digits)');
  });
});
