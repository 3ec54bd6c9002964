// An import's progress, kept up to date while it runs: the page is fetched again every two
// seconds and its progress region replaced, so nothing reloads under the reader (a meta refresh
// would, and axe counts it as a failure). Without JavaScript the page offers a link to check.
const EVERY_MS = 2000;

export function followImportProgress(): void {
  const region = document.querySelector<HTMLElement>("[data-import-progress]");
  if (!region) return;
  const link = region.querySelector<HTMLElement>("[data-check-progress]");
  if (link) link.hidden = true;
  const tick = async () => {
    const response = await fetch(window.location.href, { headers: { accept: "text/html" }, credentials: "same-origin" }).catch(() => null);
    if (!response?.ok) return setTimeout(tick, EVERY_MS);
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector<HTMLElement>("[data-import-progress]");
    // Finished: show the whole page once, with its summary.
    if (!fresh) return window.location.reload();
    region.querySelector("[data-progress-text]")!.textContent = fresh.querySelector("[data-progress-text]")!.textContent;
    region.querySelector("progress")!.value = fresh.querySelector("progress")!.value;
    setTimeout(tick, EVERY_MS);
  };
  setTimeout(tick, EVERY_MS);
}
