// GeoReport v2 answers in the two formats it names: XML (required) and JSON. The same plain
// objects become either; XML escapes every value (fast-xml-parser's builder) after characters
// XML 1.0 cannot carry are dropped.
import { XMLBuilder } from "fast-xml-parser";

export type Format = "xml" | "json";

export const CONTENT_TYPES: Record<Format, string> = {
  xml: "text/xml; charset=utf-8",
  json: "application/json; charset=utf-8",
};

export type Value = string | number | boolean | null | undefined | Value[] | { [key: string]: Value };

/** An error answered in the specification's own form, with its HTTP status. */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly descriptions: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(descriptions.join("; "));
  }
}

export const open311Errors = {
  badRequest: (...descriptions: string[]) => new Open311Error(400, descriptions),
  forbidden: (description: string) => new Open311Error(403, [description]),
  notFound: (description: string) => new Open311Error(404, [description]),
};

const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function clean(value: Value): Value {
  if (typeof value === "string") return value.replace(NOT_XML, "");
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === "object") {
    const out: Record<string, Value> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined && inner !== null) out[key] = clean(inner);
    return out;
  }
  return value;
}

const builder = new XMLBuilder({ format: false, processEntities: true, suppressEmptyNode: false, suppressBooleanAttributes: false });

/** JSON arrays inside an item become an element of this name per entry in XML: `values` → `<values><value>…`. */
const LIST_ITEMS: Record<string, string> = { values: "value", attributes: "attribute", endpoints: "endpoint", formats: "format" };

function xmlShape(value: Value): Value {
  if (Array.isArray(value)) return value.map(xmlShape);
  if (value && typeof value === "object") {
    const out: Record<string, Value> = {};
    for (const [key, inner] of Object.entries(value)) {
      const element = LIST_ITEMS[key];
      out[key] = Array.isArray(inner) && element ? (inner.length ? { [element]: xmlShape(inner) } : "") : xmlShape(inner);
    }
    return out;
  }
  return value;
}

/** The XML of a document: `root` holding one `item` element per entry of a list, or the fields of one object. */
export function toXml(root: string, body: Record<string, Value> | Array<Record<string, Value>>, item?: string): string {
  const cleaned = clean(body);
  const content = Array.isArray(cleaned) ? (cleaned.length ? { [item!]: xmlShape(cleaned) } : "") : xmlShape(cleaned);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: content })}`;
}

export function toJson(body: unknown): string {
  return JSON.stringify(clean(body as Value));
}

/** The specification's error document. */
export function errorDocument(format: Format, error: Open311Error): string {
  const entries = error.descriptions.map((description) => ({ code: error.status, description }));
  return format === "xml" ? toXml("errors", entries, "error") : toJson(entries);
}

/** The format a path asks for by its extension; XML, the required one, when it names neither. */
export function formatOf(url: string): Format {
  return /\.json(?:$|\?)/.test(url.split("#")[0]!) ? "json" : "xml";
}
