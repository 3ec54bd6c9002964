// The disclosure gate is the only way to public figures: this fails when code outside
// src/modules/disclosure reads its rules (k, the public cell, the month rule), its suppression,
// or makes a Published value itself; or when a public output reads reports on its own. Tests
// may read the rules, to check them.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { it } from "node:test";
import { PROJECT_ROOT } from "../../paths.ts";

const GATE = path.join("src", "modules", "disclosure");
const INTERNALS = ["rules.ts", "linked.ts", "tables.ts", "reports.publication.ts", "published.ts"];
/** The modules that publish: they take Published values and read no report, crime or activity rows. */
const OUTPUTS = ["dashboard", "open311", "alerts", "updates"].map((m) => path.join("src", "modules", m));

function sources(directory: string): string[] {
  return fs.readdirSync(path.join(PROJECT_ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(directory, entry.name);
    if (entry.isDirectory()) return sources(relative);
    return entry.name.endsWith(".ts") ? [relative] : [];
  });
}

const isTest = (file: string) => /\.test\.ts$|\.testing\.ts$/.test(file);
const code = [...sources("src"), ...sources("bench")].filter((file) => !file.startsWith(GATE + path.sep) && !isTest(file));

it("no code outside the gate imports its rules, its suppression or its constructor of Published values", () => {
  assert.ok(code.length > 50, "the guard reads the codebase");
  const offences: string[] = [];
  for (const file of code) {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
    for (const match of text.matchAll(/from\s+"([^"]+)"/g)) {
      const target = path.normalize(path.join(path.dirname(file), match[1]!));
      if (target.startsWith(GATE + path.sep) && INTERNALS.includes(path.basename(target))) offences.push(`${file} imports ${match[1]}`);
      if (/domain\/privacy(\.ts)?$/.test(match[1]!)) offences.push(`${file} imports ${match[1]} (the rules live in the gate)`);
    }
    if (/\bas\s+Published\b|\bas\s+unknown\s+as\s+Published\b/.test(text)) offences.push(`${file} casts to Published`);
    if (/\bK_(REPORTS|POLICE_UK)\b|\bPUBLIC_H3_RESOLUTION\b/.test(text)) offences.push(`${file} names a k or the public resolution`);
  }
  assert.deepEqual(offences, []);
});

it("the modules that publish read no reports, crimes or activity themselves", () => {
  const offences: string[] = [];
  for (const file of code.filter((f) => OUTPUTS.some((o) => f.startsWith(o + path.sep)))) {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
    for (const table of ["reports", "policeCrimes", "enforcementActions", "engagements", "patrols"]) {
      if (new RegExp(`selectFrom\\(\\s*"${table}"`).test(text) || new RegExp(`innerJoin\\(\\s*"${table}"`).test(text)) offences.push(`${file} reads ${table}`);
    }
  }
  assert.deepEqual(offences, []);
});
