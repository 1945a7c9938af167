/**
 * Edge labels without overlaps. Each label wants a spot (on its edge, in a
 * gap between columns); labels whose x ranges overlap form a column, and a
 * column is packed vertically:
 *
 *   1. labels are taken top to bottom by wanted y;
 *   2. each starts as its own cluster; while a cluster overlaps the one
 *      above, the two merge and the merged block is centred on the mean of
 *      what its labels wanted (so a crowd spreads evenly up and down);
 *   3. labels keep their x.
 *
 * Deterministic (ties by id), O(n log n) per column. A label moved off its
 * edge gets a leader line (map-elements.tsx).
 */

export interface LabelBox {
  id: string;
  /** Wanted top-left corner. */
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Space kept between two labels of a column. */
export const LABEL_SPACING = 4;

export function placeLabels(boxes: readonly LabelBox[], spacing = LABEL_SPACING): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  // Columns: connected runs of overlapping x ranges.
  const byX = [...boxes].sort((a, b) => a.x - b.x || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const columns: LabelBox[][] = [];
  let right = -Infinity;
  for (const b of byX) {
    if (columns.length === 0 || b.x >= right) { columns.push([b]); right = b.x + b.w; } else { columns[columns.length - 1]!.push(b); right = Math.max(right, b.x + b.w); }
  }
  for (const col of columns) {
    const sorted = [...col].sort((a, b) => a.y - b.y || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    interface Cluster { items: LabelBox[]; top: number; height: number }
    const clusters: Cluster[] = [];
    for (const b of sorted) {
      clusters.push({ items: [b], top: b.y, height: b.h });
      while (clusters.length > 1) {
        const last = clusters[clusters.length - 1]!, prev = clusters[clusters.length - 2]!;
        if (prev.top + prev.height + spacing <= last.top) break;
        const items = [...prev.items, ...last.items];
        // Top that centres the block on what its labels wanted: mean of (wanted y − offset in block).
        let offset = 0, sum = 0;
        for (const it of items) { sum += it.y - offset; offset += it.h + spacing; }
        clusters.splice(clusters.length - 2, 2, { items, top: sum / items.length, height: offset - spacing });
      }
    }
    for (const c of clusters) {
      let y = c.top;
      for (const it of c.items) { out.set(it.id, { x: it.x, y }); y += it.h + spacing; }
    }
  }
  return out;
}
