// Helpers for the Open311, feed and alert tests: reports placed in a complete month (the only
// months openbeat publishes), a GeoReport XML reader and JSON Schema validation.
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { XMLParser } from "fast-xml-parser";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { lastCompleteMonth } from "../disclosure/rules.ts";

/** Three places kilometres apart, so each is its own public cell. */
export const PLACES = {
  a: { lat: 51.5383, lng: 0.7274 },
  b: { lat: 51.5605, lng: 0.6502 },
  c: { lat: 51.5102, lng: 0.6203 },
} as const;

/** Noon on the 15th of the last complete month: reports then are in a publishable month. */
export function inLastCompleteMonth(now: Date = new Date()): Date {
  return new Date(`${lastCompleteMonth(now)}-15T12:00:00Z`);
}

/** A report as the web form makes it, received at `at`. */
export async function reportAt(
  app: FastifyInstance,
  at: Date,
  place: { lat: number; lng: number } | null,
  overrides: Record<string, unknown> = {},
): Promise<{ reference: string; receiptCode: string }> {
  return app.services.reports.submit(
    {
      category: "kerb-crawling",
      occurredAt: new Date(at.getTime() - 3_600_000).toISOString(),
      ...(place ? { lat: place.lat, lng: place.lng } : { locationText: "Ambleside Drive, by the junction" }),
      description: "A car circled the block and stopped.",
      answers: { what: "circling" },
      ...overrides,
    } as never,
    { now: at },
  );
}

const LISTS = new Set(["service", "attribute", "value", "request", "request_update", "error", "endpoint", "format", "entry", "link"]);

/** Reads GeoReport XML as a client would: values as text, list elements always arrays. */
export function readXml(text: string): Record<string, any> {
  assert.match(text, /^<\?xml version="1\.0" encoding="UTF-8"\?>/, "an XML declaration with UTF-8 comes first");
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", parseTagValue: false, isArray: (name) => LISTS.has(name) });
  return parser.parse(text, true);
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);

export function assertValid(schema: object, data: unknown, what: string): void {
  const validate = ajv.compile(schema);
  assert.ok(validate(data), `${what} does not match the GeoReport v2 schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(data).slice(0, 500)}`);
}

/** The list inside a root element: `<services></services>` is an empty list. */
export function listIn(document: Record<string, any>, root: string, item: string): Array<Record<string, any>> {
  assert.ok(root in document, `root element <${root}>`);
  const inner = document[root];
  if (inner === "" || inner === undefined) return [];
  return inner[item] ?? [];
}
