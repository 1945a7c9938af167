/**
 * One uPlot time chart in a card.
 *
 *   1. The uPlot instance is made once, in an effect, when the card mounts
 *      (and again only if the theme changes, to recolour axes and legend).
 *   2. New data goes in with `setData`; when the set of series changes (a
 *      protocol appears), series are removed and added on the same instance.
 *   3. A ResizeObserver keeps the chart as wide as its card.
 *   4. Unmounting destroys the instance.
 *
 * Axis and grid colours are read from the theme's CSS variables at draw
 * time; series colours come from `SeriesColors`, shared by the view's charts
 * so a key has one colour everywhere.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import { NONE, fmtClock } from './format.js';
import type { ChartData, SeriesColors } from './series.js';

export const CHART_HEIGHT = 168;

export interface TimeChartProps {
  title: string;
  unit: string;
  data: ChartData;
  colors: SeriesColors;
  /** A y value with its unit, for axis and legend. */
  format: (v: number) => string;
  /** Charts with the same key move their cursors together. */
  syncKey: string;
  /** Shown over the plot when there is nothing to draw. */
  empty?: string | null;
}

/** A theme variable as the page currently resolves it. */
export function cssVar(el: Element, name: string, fallback: string): string {
  const v = getComputedStyle(el).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

/** The CSS zoom applied to an element (1 when none): its drawn width over its layout width. */
export function cssZoom(el: HTMLElement): number {
  const z = el.offsetWidth > 0 ? el.getBoundingClientRect().width / el.offsetWidth : 1;
  return Number.isFinite(z) && z > 0.1 ? z : 1;
}

/** Bumps when <html data-theme> changes, so charts can recolour. */
export function useThemeVersion(): number {
  const [v, setV] = useState(0);
  useEffect(() => {
    const mo = new MutationObserver(() => setV((x) => x + 1));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class'] });
    return () => mo.disconnect();
  }, []);
  return v;
}

function seriesOptions(key: string, colors: SeriesColors, format: (v: number) => string): uPlot.Series {
  const s = colors.style(key);
  return {
    label: key, stroke: s.stroke, width: s.width, ...(s.dash !== undefined ? { dash: s.dash } : {}),
    points: { show: false }, spanGaps: false,
    value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? NONE : format(v)),
  };
}

export function TimeChart(props: TimeChartProps): JSX.Element {
  const { title, unit, data, colors, format, syncKey, empty } = props;
  const boxRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const keysRef = useRef<string[]>([]);
  const latest = useRef({ data, format, colors });
  latest.current = { data, format, colors };
  const theme = useThemeVersion();

  useEffect(() => {
    const box = boxRef.current;
    if (box === null) return;
    const { data: d, format: fmt, colors: c } = latest.current;
    const muted = cssVar(box, '--muted', '#8b98a5');
    const grid = cssVar(box, '--border', '#2b3440');
    const font = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
    const axis = (values: uPlot.Axis['values'], size?: number): uPlot.Axis => ({
      stroke: muted, font, ticks: { show: false }, grid: { stroke: grid, width: 1 }, ...(values !== undefined ? { values } : {}), ...(size !== undefined ? { size } : {}),
    });
    const opts: uPlot.Options = {
      width: Math.max(100, box.clientWidth), height: CHART_HEIGHT,
      series: [{ label: 'time', value: '{HH}:{mm}:{ss}' }, ...d.keys.map((k) => seriesOptions(k, c, fmt))],
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
      axes: [
        { ...axis((u, splits) => {
          const span = (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0);
          return splits.map((v) => (v === null || v === undefined ? '' : fmtClock(v, span)));
        }, 30), space: 72 },
        axis((_u, splits) => splits.map((v) => (v === null || v === undefined ? '' : latest.current.format(v))), 64),
      ],
      // Under CSS zoom (base.css zooms 4K screens), uPlot reads mouse positions in zoomed pixels: bring them back.
      cursor: { sync: { key: syncKey }, points: { size: 6 }, focus: { prox: 24 }, move: (_u, left, top) => [left / zoom, top / zoom] },
      focus: { alpha: 0.35 },
      legend: { live: true },
      padding: [8, 12, 0, 0],
    };
    let zoom = cssZoom(box);
    const u = new uPlot(opts, d.data, box);
    keysRef.current = [...d.keys];
    plotRef.current = u;
    const ro = new ResizeObserver(() => {
      zoom = cssZoom(box);
      const w = box.clientWidth;
      if (w > 0 && Math.abs(w - u.width) >= 1) u.setSize({ width: w, height: CHART_HEIGHT });
    });
    ro.observe(box);
    return () => { ro.disconnect(); u.destroy(); if (plotRef.current === u) plotRef.current = null; };
  }, [theme, syncKey]);

  useEffect(() => {
    const u = plotRef.current;
    if (u === null) return;
    const same = keysRef.current.length === data.keys.length && keysRef.current.every((k, i) => k === data.keys[i]);
    u.batch(() => {
      if (!same) {
        for (let i = u.series.length - 1; i >= 1; i--) u.delSeries(i);
        for (const k of data.keys) u.addSeries(seriesOptions(k, latest.current.colors, latest.current.format));
        keysRef.current = [...data.keys];
      }
      u.setData(data.data);
    });
  }, [data]);

  return (
    <figure className="dash-card chart-card" aria-label={`${title} (${unit}) over time`}>
      <figcaption className="chart-title">{title} <span className="muted">{unit}</span></figcaption>
      <div className="chart-wrap" data-testid="chart">
        {/* uPlot owns this element's children; React never renders into it. */}
        <div className="chart-box" ref={boxRef} />
        {empty !== undefined && empty !== null ? <div className="chart-empty muted">{empty}</div> : null}
      </div>
    </figure>
  );
}
