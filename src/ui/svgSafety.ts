// Checks an SVG before the browser draws it. Drawing happens on the main thread and cannot be
// interrupted, so what would freeze the page or fail opaquely is refused first, with a reason:
// <use> chains that expand to huge trees (each level repeats the one below), reference cycles,
// and <foreignObject> (embedded HTML taints the canvas, so its pixels cannot be read).

/** Elements the drawn tree may hold once every <use> is expanded. */
export const MAX_SVG_ELEMENTS = 50_000;
export const MAX_SVG_BYTES = 5 * 1024 * 1024;

/** The part of a DOM element the check reads (so it runs on any parsed tree). */
export interface SvgNode {
  localName: string;
  children: ArrayLike<SvgNode>;
  getAttribute(name: string): string | null;
}

/** Why an SVG is refused, or null when it may be drawn. */
export function svgProblem(root: SvgNode): string | null {
  const byId = new Map<string, SvgNode>();
  const walk = (node: SvgNode) => {
    const id = node.getAttribute('id');
    if (id) byId.set(id, node);
    for (const child of Array.from(node.children)) walk(child);
  };
  walk(root);
  const sizes = new Map<SvgNode, number>();
  const visiting = new Set<SvgNode>();
  let problem: string | null = null;
  // Elements a node stands for once drawn: itself, its children, and for <use> its target.
  const size = (node: SvgNode): number => {
    if (problem) return 0;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (node.localName === 'foreignObject') {
      problem = 'It embeds HTML (<foreignObject>), whose pixels the browser does not let a page read. Export it as PNG and drop that.';
      return 0;
    }
    if (visiting.has(node)) {
      problem = 'Its <use> elements refer to each other in a cycle.';
      return 0;
    }
    visiting.add(node);
    let n = 1;
    for (const child of Array.from(node.children)) n += size(child);
    if (node.localName === 'use') {
      const ref = (node.getAttribute('href') ?? node.getAttribute('xlink:href') ?? '').trim();
      const target = ref.startsWith('#') ? byId.get(ref.slice(1)) : undefined;
      if (target) n += size(target);
    }
    visiting.delete(node);
    sizes.set(node, n);
    if (n > MAX_SVG_ELEMENTS && !problem) problem = `Drawn, it would hold more than ${MAX_SVG_ELEMENTS.toLocaleString('en')} elements (nested <use>), which would freeze the page.`;
    return n;
  };
  size(root);
  return problem;
}
