// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the time went: self time per
// function, and time including callees for openbeat's own functions.
import fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  percent: number;
}

function label(node: ProfileNode): string {
  const url = node.callFrame.url.replace(/^file:\/\//, "").replace(/^.*\/(node_modules\/)/, "$1").replace(/^.*\/work\/[^/]+\//, "");
  return `${node.callFrame.functionName || "(anonymous)"} ${url ? `${url}:${node.callFrame.lineNumber + 1}` : ""}`.trim();
}

/** The functions with the most self time, as a share of all samples. */
export function topSelf(file: string, count = 15): ProfileLine[] {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length || 1;
  const self = new Map<string, number>();
  for (const [id, n] of hits) {
    const name = label(byId.get(id)!);
    self.set(name, (self.get(name) ?? 0) + n);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => ({ name, percent: (n / total) * 100 }));
}

/** Time including callees, for frames whose location matches `pattern` (e.g. /src\//). */
export function topTotal(file: string, pattern: RegExp, count = 15): ProfileLine[] {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const total = profile.samples.length || 1;
  const inclusive = new Map<string, number>();
  for (const sample of profile.samples) {
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id)!;
      if (!pattern.test(node.callFrame.url)) continue;
      const name = label(node);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    }
  }
  return [...inclusive.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => ({ name, percent: (n / total) * 100 }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2]!;
  for (const line of topSelf(file, 25)) console.log(`${line.percent.toFixed(1).padStart(5)}%  ${line.name}`);
  console.log("--- inclusive, openbeat's code");
  for (const line of topTotal(file, /\/src\//, 25)) console.log(`${line.percent.toFixed(1).padStart(5)}%  ${line.name}`);
}
