/**
 * The three shapes of a map edge, each one cubic Bézier curve from the
 * handle positions, with its arrowhead at the target:
 *
 *   forward  caller's right side → callee's left side, a horizontal S-curve;
 *   back     (the edge closing a cycle) bottom → bottom, dipping below both;
 *   self     a loop out of the node's right side and back into it.
 *
 * `pointAtX` finds where a curve crosses a given x (edge labels sit in the
 * gaps between columns).
 */

export type Pt = readonly [number, number];
export type Cubic = readonly [Pt, Pt, Pt, Pt];

export interface EdgeGeometry {
  d: string;
  curve: Cubic;
  /** Arrowhead polygon at the target end. */
  arrow: string;
}

/** How far a self loop reaches right of its node. */
export const SELF_LOOP_REACH = 26;

/** The point at `t` of a cubic Bézier. */
export function cubicAt(c: Cubic, t: number): [number, number] {
  const [p0, p1, p2, p3] = c;
  const u = 1 - t;
  const a = u * u * u, b = 3 * u * u * t, k = 3 * u * t * t, d = t * t * t;
  return [a * p0[0] + b * p1[0] + k * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + k * p2[1] + d * p3[1]];
}

/**
 * Where a curve whose x only grows or only shrinks (its control points in
 * order along x) crosses `x`; null when x is outside its span.
 */
export function pointAtX(c: Cubic, x: number): [number, number] | null {
  const x0 = c[0][0], x3 = c[3][0];
  if (x < Math.min(x0, x3) || x > Math.max(x0, x3)) return null;
  const rising = x3 >= x0;
  let lo = 0, hi = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if ((cubicAt(c, mid)[0] < x) === rising) lo = mid; else hi = mid;
  }
  return cubicAt(c, (lo + hi) / 2);
}

const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Arrowhead of `size` with its tip at (x, y), pointing along (dx, dy). */
export function arrowHead(x: number, y: number, dx: number, dy: number, size = 7): string {
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len, uy = dy / len;
  const bx = x - ux * size, by = y - uy * size;
  const w = size * 0.55;
  return `M${f1(x)},${f1(y)} L${f1(bx - uy * w)},${f1(by + ux * w)} L${f1(bx + uy * w)},${f1(by - ux * w)} Z`;
}

function geometry(curve: Cubic): EdgeGeometry {
  const [p0, p1, p2, p3] = curve;
  const d = `M${f1(p0[0])},${f1(p0[1])} C${f1(p1[0])},${f1(p1[1])} ${f1(p2[0])},${f1(p2[1])} ${f1(p3[0])},${f1(p3[1])}`;
  // The end tangent (p3 − p2), or p3 − p1 when p2 sits on p3.
  const [dx, dy] = p3[0] !== p2[0] || p3[1] !== p2[1] ? [p3[0] - p2[0], p3[1] - p2[1]] : [p3[0] - p1[0], p3[1] - p1[1]];
  return { d, curve, arrow: arrowHead(p3[0], p3[1], dx, dy) };
}

/** Caller right (sx, sy) → callee left (tx, ty). */
export function forwardEdge(sx: number, sy: number, tx: number, ty: number): EdgeGeometry {
  const half = Math.max(30, (tx - sx) / 2);
  return geometry([[sx, sy], [sx + half, sy], [tx - half, ty], [tx, ty]]);
}

/** Bottom of the caller → bottom of the callee, below both. */
export function backEdge(sx: number, sy: number, tx: number, ty: number): EdgeGeometry {
  const low = Math.max(sy, ty) + 48 + Math.abs(sx - tx) * 0.1;
  return geometry([[sx, sy], [sx, low], [tx, low], [tx, ty]]);
}

/** A loop from the node's right side (sx, sy) and back. */
export function selfLoop(sx: number, sy: number): EdgeGeometry {
  const r = SELF_LOOP_REACH;
  return geometry([[sx, sy - 7], [sx + r * 1.33, sy - 26], [sx + r * 1.33, sy + 26], [sx, sy + 7]]);
}
