// Every page, for every role that may open it (and for residents), on a 390-pixel phone with
// JavaScript on: none may be wider than the screen (issue 14, finding 6 and item 4). Tables
// become lists, long words wrap, and code samples scroll inside their own box.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { launchBrowser, startApp, type RunningApp } from "../support/browser.ts";
import { buildWorld, pagesFor, testedRoutes, type PartyName, type World } from "../support/world.ts";

const PHONE = { width: 390, height: 844 };
/** Not pages for people: data, feeds, files and machine answers. */
const NOT_PAGES = /^\/(api\/(?!docs)|open311\/v2\/|feeds\/|tiles\/|healthz)|\.(csv|geojson|pdf|json|xml|atom)(\?|$)|\/letter(\.pdf)?$/;

let running: RunningApp;
let world: World;
let browser: Browser;

before(async () => {
  running = await startApp();
  world = await buildWorld(running.app);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await running?.close();
});

async function contextFor(party: PartyName | null): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: running.baseUrl, viewport: PHONE, locale: "en-GB", timezoneId: "Europe/London" });
  if (party) {
    const cookies = [...world.parties[party].client.cookies].map(([name, value]) => ({ name, value, url: running.baseUrl }));
    await context.addCookies(cookies);
  }
  return context;
}

test("no page is wider than a 390-pixel phone, for any role", async () => {
  const pages = pagesFor(world, testedRoutes(running.app)).filter((p) => !NOT_PAGES.test(p.url));
  assert.ok(pages.length > 40, `the crawl covers the site (${pages.length} pages)`);
  const byParty = new Map<PartyName | null, typeof pages>();
  for (const page of pages) byParty.set(page.party, [...(byParty.get(page.party) ?? []), page]);
  const overflowing: string[] = [];
  for (const [party, list] of byParty) {
    const context = await contextFor(party);
    const tab = await context.newPage();
    for (const { url } of list) {
      const response = await tab.goto(url, { waitUntil: "load" });
      if (!response || !String(response.headers()["content-type"] ?? "").startsWith("text/html")) continue;
      const width = await tab.evaluate(() => document.documentElement.scrollWidth);
      if (width > PHONE.width) {
        const widest = await tab.evaluate((limit) => {
          const found: string[] = [];
          for (const element of document.querySelectorAll("body *")) {
            const box = element.getBoundingClientRect();
            if (box.right > limit + 1 && !element.closest("[data-scrolls]")) found.push(`${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}${element.className && typeof element.className === "string" ? `.${element.className.split(" ")[0]}` : ""}`);
          }
          return found.slice(0, 3);
        }, PHONE.width);
        overflowing.push(`${url} as ${party ?? "a resident"}: ${width}px (${widest.join(", ")})`);
      }
    }
    await context.close();
  }
  assert.deepEqual(overflowing, []);
});
