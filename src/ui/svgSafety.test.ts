import { describe, expect, it } from 'vitest';
import { MAX_SVG_ELEMENTS, svgProblem, type SvgNode } from './svgSafety';

/** A tiny element tree: el('use', { href: '#a' }, ...children). */
function el(localName: string, attrs: Record<string, string> = {}, ...children: SvgNode[]): SvgNode {
  return { localName, children, getAttribute: (name) => attrs[name] ?? null };
}

/** `depth` levels of <g>, each holding `fanout` <use> of the level below (a "billion laughs"). */
function useBomb(depth: number, fanout: number): SvgNode {
  const groups: SvgNode[] = [el('g', { id: 'l0' }, el('path'))];
  for (let k = 1; k <= depth; k++) {
    groups.push(el('g', { id: `l${k}` }, ...Array.from({ length: fanout }, () => el('use', { href: `#l${k - 1}` }))));
  }
  return el('svg', {}, el('defs', {}, ...groups), el('use', { href: `#l${depth}` }));
}

describe('svgProblem', () => {
  it('lets a plain drawing through', () => {
    expect(svgProblem(el('svg', {}, el('path'), el('circle')))).toBeNull();
    expect(svgProblem(useBomb(3, 10))).toBeNull();
  });

  it('refuses nested <use> that expands past the limit, however few elements the file holds', () => {
    // 5 levels of 10 references: 10^5 copies of the path from 56 elements in the file.
    expect(svgProblem(useBomb(5, 10))).toBe(`Drawn, it would hold more than ${MAX_SVG_ELEMENTS.toLocaleString('en')} elements (nested <use>), which would freeze the page.`);
  });

  it('counts exactly: a tree just under the limit passes, one element more does not', () => {
    // svg + use + g + (n uses, each drawing one path-less <g>): sizes add up element by element.
    const leaf = el('g', { id: 'leaf' });
    const make = (n: number) => el('svg', {}, leaf, ...Array.from({ length: n }, () => el('use', { href: '#leaf' })));
    // svg (1) + leaf (1) + n × (use 1 + leaf 1)
    const atLimit = (MAX_SVG_ELEMENTS - 2) / 2;
    expect(svgProblem(make(atLimit))).toBeNull();
    expect(svgProblem(make(atLimit + 1))).not.toBeNull();
  });

  it('refuses reference cycles and <foreignObject>', () => {
    expect(svgProblem(el('svg', {}, el('g', { id: 'a' }, el('use', { href: '#b' })), el('g', { id: 'b' }, el('use', { 'xlink:href': '#a' }))))).toBe('Its <use> elements refer to each other in a cycle.');
    expect(svgProblem(el('svg', {}, el('foreignObject', {}, el('div'))))).toMatch(/^It embeds HTML \(<foreignObject>\)/);
  });
});
