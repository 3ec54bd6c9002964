// Server-rendered SVG for the dashboard: bar charts and the cell map. No script and no style
// attributes (the CSP forbids them): presentation attributes only. Each picture has a title and
// a description, and the page always puts a table of the same numbers beside it.
import type { MapGeometry } from "./maps.ts";

export const COLOURS = {
  text: "#0b0c0c",
  grid: "#b1b4b6",
  noData: "#f3f2f1",
  blue: "#1d70b8",
  orange: "#f47738",
  green: "#00703c",
  purple: "#4c2c92",
  red: "#d4351c",
};

/** Sequential blues (ColorBrewer), light to dark, for counts on the map. */
const SHADES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const round = (value: number) => Math.round(value * 10) / 10;

function niceStep(max: number, ticks = 4): number {
  const raw = Math.max(max, 1) / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return Math.max(1, ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude);
}

export interface BarSeries {
  name: string;
  colour: string;
  /** null: a gap, explained by `gapKind`. */
  values: Array<number | null>;
}

export interface BarChartInput {
  id: string;
  title: string;
  description: string;
  /** One per slot, oldest first; shortened labels are drawn, never more than about a dozen. */
  labels: string[];
  series: BarSeries[];
  /** Why a slot has no bar: "no data" (nothing was published for it) or "withheld" (suppressed under k). */
  gapKind?: (index: number) => "no-data" | "withheld";
  /** A line across one or more slots, such as the hours planned. */
  line?: { name: string; colour: string; values: number[] };
  /** A vertical marker before a slot (the operation's start). */
  marker?: { index: number; label: string };
}

const WIDTH = 480;
const HEIGHT = 280;
const PLOT = { left: 44, right: WIDTH - 8, top: 40, bottom: HEIGHT - 36 };

/** A bar chart (grouped when there are several series) with gaps drawn as gaps, never as zero. */
export function barChart(input: BarChartInput): string {
  const count = input.labels.length;
  const highest = Math.max(1, ...input.series.flatMap((s) => s.values.map((v) => v ?? 0)), ...(input.line?.values ?? []));
  const step = niceStep(highest);
  const top = Math.ceil(highest / step) * step;
  const y = (value: number) => round(PLOT.bottom - (value / top) * (PLOT.bottom - PLOT.top));
  const slot = (PLOT.right - PLOT.left) / Math.max(1, count);
  const groupWidth = slot * 0.76;
  const barWidth = groupWidth / Math.max(1, input.series.length);
  const parts: string[] = [];
  const gapKinds = new Set<string>();
  parts.push(
    `<defs><pattern id="${input.id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#505a5f" stroke-width="2"/></pattern></defs>`,
  );
  for (let i = 0; i < count; i++) {
    const gap = input.series.every((s) => s.values[i] === null);
    if (!gap) continue;
    const kind = input.gapKind?.(i) ?? "no-data";
    gapKinds.add(kind);
    parts.push(`<rect x="${round(PLOT.left + i * slot + 1)}" y="${PLOT.top}" width="${round(slot - 2)}" height="${PLOT.bottom - PLOT.top}" fill="${kind === "withheld" ? `url(#${input.id}-hatch)` : COLOURS.noData}"/>`);
  }
  for (let value = 0; value <= top + step / 2; value += step) {
    parts.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${y(value)}" y2="${y(value)}" stroke="${COLOURS.grid}" stroke-width="1"/>`);
    parts.push(`<text x="${PLOT.left - 6}" y="${y(value) + 4}" text-anchor="end" font-size="14" fill="${COLOURS.text}">${value.toLocaleString("en-GB")}</text>`);
  }
  input.series.forEach((series, s) => {
    series.values.forEach((value, i) => {
      if (value === null || value === 0) return;
      const x = PLOT.left + i * slot + (slot - groupWidth) / 2 + s * barWidth;
      parts.push(`<rect x="${round(x)}" y="${y(value)}" width="${round(Math.max(1, barWidth - 1))}" height="${round(Math.max(1, PLOT.bottom - y(value)))}" fill="${series.colour}"/>`);
    });
  });
  if (input.line) {
    const points = input.line.values.flatMap((value, i) => [`${round(PLOT.left + i * slot)},${y(value)}`, `${round(PLOT.left + (i + 1) * slot)},${y(value)}`]).join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="${input.line.colour}" stroke-width="2.5" stroke-dasharray="6 3"/>`);
  }
  if (input.marker && input.marker.index >= 0 && input.marker.index < count) {
    const x = round(PLOT.left + input.marker.index * slot);
    parts.push(`<line x1="${x}" x2="${x}" y1="${PLOT.top - 4}" y2="${PLOT.bottom}" stroke="${COLOURS.text}" stroke-width="2"/>`);
    parts.push(`<text x="${x + 4}" y="${PLOT.top + 10}" font-size="14" fill="${COLOURS.text}">${escapeXml(input.marker.label)}</text>`);
  }
  parts.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}" stroke="${COLOURS.text}" stroke-width="1"/>`);
  const every = Math.max(1, Math.ceil(count / 6));
  input.labels.forEach((label, i) => {
    if (i % every !== 0) return;
    const x = round(PLOT.left + i * slot + slot / 2);
    parts.push(`<text x="${x}" y="${PLOT.bottom + 18}" text-anchor="middle" font-size="14" fill="${COLOURS.text}">${escapeXml(label)}</text>`);
  });
  // The legend, across the top: the series, the line, and the kinds of gap that appear.
  const legend: Array<{ name: string; swatch: string }> = input.series.map((s) => ({ name: s.name, swatch: `fill="${s.colour}"` }));
  if (input.line) legend.push({ name: input.line.name, swatch: `fill="${input.line.colour}"` });
  if (gapKinds.has("no-data")) legend.push({ name: "No data", swatch: `fill="${COLOURS.noData}" stroke="${COLOURS.grid}"` });
  if (gapKinds.has("withheld")) legend.push({ name: "Withheld (small number)", swatch: `fill="url(#${input.id}-hatch)" stroke="${COLOURS.grid}"` });
  let cursor = PLOT.left;
  for (const entry of legend) {
    parts.push(`<rect x="${cursor}" y="8" width="14" height="14" ${entry.swatch}/>`);
    parts.push(`<text x="${cursor + 19}" y="20" font-size="14" fill="${COLOURS.text}">${escapeXml(entry.name)}</text>`);
    cursor += 19 + entry.name.length * 7.5 + 14;
  }
  return svg(input.id, input.title, input.description, WIDTH, HEIGHT, parts.join(""));
}

function svg(id: string, title: string, description: string, width: number, height: number, body: string): string {
  return (
    `<svg class="ob-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" font-family="arial, sans-serif" role="img" aria-labelledby="${id}-title ${id}-description" focusable="false">` +
    `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-description">${escapeXml(description)}</desc>${body}</svg>`
  );
}

export interface MapShading {
  /** One per cell of the geometry: a count, null (withheld). */
  values: Array<number | null>;
  labels: number[];
  hotspots?: Array<"hot" | "cold" | "none"> | null;
}

/** Five classes from 1 to the highest count (0 stays white). */
export function shadeBreaks(highest: number): number[] {
  if (highest <= 0) return [];
  if (highest <= 5) return Array.from({ length: highest }, (_, i) => i + 1);
  const step = highest / 5;
  return [1, ...[1, 2, 3, 4].map((i) => Math.floor(step * i) + 1)];
}

function shadeIndex(value: number, breaks: number[]): number {
  if (breaks.length <= 1) return 2;
  const index = Math.max(0, breaks.filter((b) => value >= b).length - 1);
  return Math.round((index * (SHADES.length - 1)) / (breaks.length - 1));
}

/** The map's key: each shade with the counts it stands for. */
export function shadeClasses(highest: number): Array<{ from: number; to: number; colour: string }> {
  const breaks = shadeBreaks(highest);
  return breaks.map((from, i) => ({ from, to: i + 1 < breaks.length ? breaks[i + 1]! - 1 : highest, colour: SHADES[shadeIndex(from, breaks)]! }));
}

function shadeOf(value: number | null, breaks: number[]): string {
  if (value === null) return "withheld";
  if (value === 0) return "#ffffff";
  return SHADES[shadeIndex(value, breaks)]!;
}

/** The cell map: each hexagon shaded by its count, numbered, hotspots outlined; the areas drawn over them. */
export function cellMap(id: string, title: string, description: string, geometry: MapGeometry, shading: MapShading): string {
  const highest = Math.max(0, ...shading.values.map((v) => v ?? 0));
  const breaks = shadeBreaks(highest);
  const parts: string[] = [
    `<defs><pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#505a5f" stroke-width="2"/></pattern></defs>`,
  ];
  geometry.cells.forEach((cell, i) => {
    const shade = shadeOf(shading.values[i] ?? null, breaks);
    parts.push(`<path d="${cell.path}" fill="${shade === "withheld" ? `url(#${id}-hatch)` : shade}" stroke="#6f777b" stroke-width="1"/>`);
  });
  for (const outline of geometry.outlines) {
    const dashed = outline.role === "buffer";
    parts.push(`<path d="${outline.path}" fill="none" fill-rule="evenodd" stroke="${COLOURS.text}" stroke-width="${dashed ? 1.5 : 3}"${dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
  }
  geometry.cells.forEach((cell, i) => {
    const kind = shading.hotspots?.[i] ?? "none";
    if (kind !== "none") parts.push(`<path d="${cell.path}" fill="none" stroke="${kind === "hot" ? COLOURS.red : COLOURS.purple}" stroke-width="4"${kind === "cold" ? ' stroke-dasharray="5 3"' : ""}/>`);
  });
  geometry.cells.forEach((cell, i) => {
    const value = shading.values[i] ?? null;
    const dark = value !== null && value > 0 && shadeIndex(value, breaks) >= 3;
    const fill = dark ? "#ffffff" : COLOURS.text;
    const kind = shading.hotspots?.[i] ?? "none";
    parts.push(`<text x="${cell.x}" y="${round(cell.y + 5)}" text-anchor="middle" font-size="15" font-weight="bold" fill="${fill}">${shading.labels[i]}</text>`);
    if (kind !== "none") parts.push(`<text x="${cell.x}" y="${round(cell.y + 19)}" text-anchor="middle" font-size="11" fill="${fill}">${kind}</text>`);
  });
  return svg(id, title, description, geometry.width, geometry.height, parts.join(""));
}

/** The operation's areas: target, buffer and comparison outlines, filled lightly. */
export function areaMap(id: string, title: string, description: string, geometry: MapGeometry): string {
  const fills: Record<string, string> = { target: COLOURS.blue, buffer: COLOURS.orange, comparison: COLOURS.green };
  const parts = geometry.outlines.map(
    (outline) => `<path d="${outline.path}" fill="${fills[outline.role] ?? COLOURS.grid}" fill-opacity="0.35" fill-rule="evenodd" stroke="${fills[outline.role] ?? COLOURS.text}" stroke-width="2"/>`,
  );
  return svg(id, title, description, geometry.width, geometry.height, parts.join(""));
}
