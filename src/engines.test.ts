// openbeat promises Node.js 20 (package.json engines, docs/adr/0001): every installed package
// must accept it too, or `npm install` warns EBADENGINE and the package may use what Node 20
// lacks. Checked from package-lock.json, which records each package's engines.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { it } from "node:test";
import { PROJECT_ROOT } from "./paths.ts";

/** The oldest Node.js openbeat runs on, and so the one every dependency must accept. */
const OLDEST = [20, 19, 0] as const;

type Version = readonly [number, number, number];

function parse(text: string): { version: Version; wildcard: number } {
  const parts = text.replace(/^v/, "").split(".");
  const numbers = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  const given = numbers.findIndex((n) => Number.isNaN(n));
  const wildcard = given === -1 ? numbers.length : given;
  return { version: [numbers[0] || 0, wildcard > 1 ? numbers[1]! : 0, wildcard > 2 ? numbers[2]! : 0], wildcard };
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `version` satisfies one comparator set of a semver range ("^8.16.0", ">=20 <21", "20.x", "*"). */
function satisfiesSet(version: Version, set: string): boolean {
  const comparators = set.replace(/([<>=^~]+)\s+/g, "$1").trim().split(/\s+/).filter(Boolean);
  return comparators.every((comparator) => {
    if (comparator === "*" || comparator === "x") return true;
    const [, operator = "", rest = ""] = /^([<>=^~]*)(.*)$/.exec(comparator)!;
    const { version: bound, wildcard } = parse(rest);
    const order = compare(version, bound);
    switch (operator) {
      case ">=": return order >= 0;
      case ">": return order > 0;
      case "<=": return order <= 0;
      case "<": return order < 0;
      case "^": return order >= 0 && version[0] === bound[0];
      case "~": return order >= 0 && version[0] === bound[0] && version[1] === bound[1];
      default: return wildcard === 1 ? version[0] === bound[0] : wildcard === 2 ? version[0] === bound[0] && version[1] === bound[1] : order === 0;
    }
  });
}

export function satisfies(version: Version, range: string): boolean {
  return range.split("||").some((set) => satisfiesSet(version, set));
}

it("reads ranges as npm does", () => {
  assert.ok(satisfies([20, 19, 0], ">=18"));
  assert.ok(!satisfies([20, 19, 0], ">=22"));
  assert.ok(satisfies([20, 19, 0], "18 || 20 || >=22"));
  assert.ok(satisfies([20, 19, 0], ">=20.16.0 <21 || >=22.3.0"));
  assert.ok(!satisfies([20, 10, 0], ">= 20.19.0"));
  assert.ok(satisfies([20, 19, 0], "^14.21.3 || >=16"));
  assert.ok(satisfies([20, 19, 0], "20.x || 22.x"));
  assert.ok(!satisfies([20, 19, 0], "^8.16.0 || ^10.6.0"));
});

it("installs no package that refuses Node.js 20", () => {
  const lock = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { engines?: unknown; dev?: boolean }> };
  const refusing = Object.entries(lock.packages)
    .map(([name, entry]) => [name, entry.engines && typeof entry.engines === "object" ? (entry.engines as { node?: string }).node : undefined] as const)
    .filter(([, node]) => node !== undefined && !satisfies(OLDEST, node))
    .map(([name, node]) => `${name.replace(/^node_modules\//, "")} needs node ${node}`);
  assert.deepEqual(refusing, []);
});
