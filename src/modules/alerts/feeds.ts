// Atom feeds (RFC 4287) of what openbeat publishes: public updates, all or one operation's,
// and new reports in an area counted by published cell-month, exactly as public maps count
// them. Feeds hold only public text: update titles and bodies, category-free counts, months.
import { XMLBuilder } from "fast-xml-parser";
import type { Kysely } from "kysely";
import type { Schema } from "../../db/schema.ts";
import { cellToLatLng } from "h3-js";
import type { Polygonal } from "../../domain/geo.ts";
import { lastCompleteMonth } from "../../domain/privacy.ts";
import { monthBounds, publicReportCellMonths } from "../open311/public-reports.ts";
import type { UpdateToSend } from "./alerts.repository.ts";
import { holds } from "./area.ts";

export const ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8";
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const MONTHS_SHOWN = 12;

export interface AtomEntry {
  id: string;
  title: string;
  updated: string;
  link: string;
  content: string;
}

export interface AtomFeed {
  id: string;
  title: string;
  subtitle: string;
  self: string;
  alternate: string;
  entries: AtomEntry[];
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", textNodeName: "#text", processEntities: true, format: true, suppressEmptyNode: true });

const text = (value: string) => value.replace(NOT_XML, "");

export function renderAtom(feed: AtomFeed, now: Date = new Date()): string {
  const updated = feed.entries.map((e) => e.updated).sort().at(-1) ?? now.toISOString();
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({
    feed: {
      "@_xmlns": "http://www.w3.org/2005/Atom",
      id: feed.id,
      title: text(feed.title),
      subtitle: text(feed.subtitle),
      updated,
      link: [
        { "@_rel": "self", "@_type": "application/atom+xml", "@_href": feed.self },
        { "@_rel": "alternate", "@_type": "text/html", "@_href": feed.alternate },
      ],
      author: { name: "openbeat" },
      entry: feed.entries.map((entry) => ({
        id: entry.id,
        title: { "@_type": "text", "#text": text(entry.title) },
        updated: entry.updated,
        link: { "@_rel": "alternate", "@_type": "text/html", "@_href": entry.link },
        content: { "@_type": "text", "#text": text(entry.content) },
      })),
    },
  })}`;
}

export function updateEntries(base: string, updates: UpdateToSend[]): AtomEntry[] {
  return updates.map((update) => ({
    id: `${base}/updates/${update.id}`,
    title: update.title,
    updated: update.publishedAt,
    link: `${base}/updates/${update.id}`,
    content: update.operationName ? `${update.operationName}\n\n${update.body}` : update.body,
  }));
}

function monthName(month: string): string {
  return new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(monthBounds(month).start));
}

/**
 * One entry per complete month (the last twelve) in which the area holds a published
 * cell-month: how many reports each published cell had, placed at the cell's centre. Cells
 * under k, or hidden to protect another, are left out, and no total of the area is given
 * that could be set against them.
 */
export async function areaReportEntries(db: Kysely<Schema>, base: string, self: string, area: Polygonal, now: Date = new Date()): Promise<AtomEntry[]> {
  const last = lastCompleteMonth(now);
  const months: string[] = [];
  for (let i = 0; i < MONTHS_SHOWN; i++) {
    const start = new Date(monthBounds(last).start);
    months.push(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
  }
  const published = await publicReportCellMonths(db, months, now);
  const byMonth = new Map<string, Array<{ lat: number; long: number; count: number }>>();
  for (const { month, cell, count } of published.entries()) {
    const [lat, long] = cellToLatLng(cell);
    if (!holds(area, lat, long)) continue;
    byMonth.set(month, [...(byMonth.get(month) ?? []), { lat: Number(lat.toFixed(5)), long: Number(long.toFixed(5)), count }]);
  }
  return [...byMonth.entries()]
    .sort(([a], [b]) => b.localeCompare(a))
    .map(([month, cells]) => ({
      id: `${self}#${month}`,
      title: `${monthName(month)}: reports in ${cells.length} part${cells.length === 1 ? "" : "s"} of this area`,
      updated: monthBounds(month).end,
      link: `${base}/updates`,
      content: [
        `Residents' reports received in ${monthName(month)}, counted by map cell (about 0.7 km² each). Cells with fewer than 5 reports are not shown.`,
        "",
        ...cells.map((c) => `${c.count} reports in the cell centred at ${c.lat}, ${c.long}`),
      ].join("\n"),
    }));
}
