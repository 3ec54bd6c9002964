// Atom feeds (RFC 4287) of what openbeat publishes: public updates, all or one operation's,
// and new reports in an area counted by published cell-month, exactly as public maps count
// them. Feeds hold only public text: update titles and bodies, category-free counts, months.
import { XMLBuilder } from "fast-xml-parser";
import type { Polygonal } from "../../domain/geo.ts";
import type { Published } from "../disclosure/disclosure.service.ts";
import type { UpdateToSend } from "./alerts.repository.ts";
import { holds } from "./area.ts";

export const ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8";
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
/** Complete months in a feed of reports in an area. */
export const REPORT_FEED_MONTHS = 12;

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
  return new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${month}-15T12:00:00Z`));
}

/** The instant a month (UK time) ended, near enough for a feed's "updated": the first day after it. */
function monthEnd(month: string): string {
  const [year, number] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(year, number, 1)).toISOString();
}

/**
 * One entry per complete month in which the area holds a published cell: how many reports each
 * published cell had, placed at the cell's centre (`published`: the gate's cells, month by
 * month). Cells the gate withholds are left out, and no total of the area is given that could
 * be set against them.
 */
export function areaReportEntries(
  published: Published<Array<{ month: string; cells: Array<{ lat: number; long: number; count: number }> }>>,
  base: string,
  self: string,
  area: Polygonal,
): AtomEntry[] {
  return published
    .map(({ month, cells }) => ({ month, cells: cells.filter((c) => holds(area, c.lat, c.long)) }))
    .filter(({ cells }) => cells.length > 0)
    .map(({ month, cells }) => ({
      id: `${self}#${month}`,
      title: `${monthName(month)}: reports in ${cells.length} part${cells.length === 1 ? "" : "s"} of this area`,
      updated: monthEnd(month),
      link: `${base}/updates`,
      content: [
        `Residents' reports received in ${monthName(month)}, counted by map cell (about 0.7 km² each). Cells with fewer than 5 reports, and any that would let one be worked out, are not shown.`,
        "",
        ...cells.map((c) => `${c.count} reports in the cell centred at ${Number(c.lat.toFixed(5))}, ${Number(c.long.toFixed(5))}`),
      ].join("\n"),
    }));
}
