/**
 * Makes every segment of a label map one 4-connected region (the post-processing step of SLIC,
 * Achanta et al. 2012, section 3.3): each connected piece of a label becomes its own segment, and a
 * piece smaller than `minSize` pixels joins the neighbouring segment it shares the longest border
 * with (ties: the segment found first in raster order). Pieces are visited in raster
 * order, so the result is deterministic. Returns labels 0..count-1 numbered in raster order.
 */
export function enforceConnectivity(labels: Int32Array, h: number, w: number, minSize: number): { labels: Int32Array; count: number } {
  const n = h * w;
  if (labels.length !== n) throw new Error(`The label map holds ${labels.length} values, not ${h} x ${w}.`);
  const piece = connectedPieces(labels, h, w);
  const pieces = piece.members.length;
  // Union by re-pointing: group[p] is the piece p currently belongs to, members kept per group.
  const group = Int32Array.from({ length: pieces }, (_, p) => p);
  const members: number[][] = piece.members.map((m) => m.slice());
  for (let p = 0; p < pieces; p++) {
    const g = group[p];
    if (g !== p || members[g].length >= minSize) continue;
    const border = new Map<number, number>();
    for (const at of members[g]) {
      const y = Math.floor(at / w);
      const x = at - y * w;
      for (const [yy, xx] of [[y - 1, x], [y + 1, x], [y, x - 1], [y, x + 1]]) {
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const other = group[piece.of[yy * w + xx]];
        if (other !== g) border.set(other, (border.get(other) ?? 0) + 1);
      }
    }
    let target = -1;
    for (const [other, length] of border) {
      const best = target < 0 ? -1 : border.get(target)!;
      if (length > best || (length === best && other < target)) target = other;
    }
    if (target < 0) continue;
    for (let q = 0; q < pieces; q++) if (group[q] === g) group[q] = target;
    for (const at of members[g]) members[target].push(at);
    members[g] = [];
  }
  const out = new Int32Array(n);
  const newId = new Map<number, number>();
  for (let at = 0; at < n; at++) {
    const g = group[piece.of[at]];
    if (!newId.has(g)) newId.set(g, newId.size);
    out[at] = newId.get(g)!;
  }
  return { labels: out, count: newId.size };
}

/** The 4-connected pieces of equal label, numbered in raster order of their first pixel. */
function connectedPieces(labels: Int32Array, h: number, w: number): { of: Int32Array; members: number[][] } {
  const of = new Int32Array(h * w).fill(-1);
  const members: number[][] = [];
  for (let start = 0; start < h * w; start++) {
    if (of[start] >= 0) continue;
    const id = members.length;
    const list = [start];
    of[start] = id;
    for (let k = 0; k < list.length; k++) {
      const at = list[k];
      const y = Math.floor(at / w);
      const x = at - y * w;
      for (const [yy, xx] of [[y - 1, x], [y + 1, x], [y, x - 1], [y, x + 1]]) {
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const next = yy * w + xx;
        if (of[next] < 0 && labels[next] === labels[at]) {
          of[next] = id;
          list.push(next);
        }
      }
    }
    members.push(list);
  }
  return { of, members };
}
