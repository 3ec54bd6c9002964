// The alerts map: a resident places the corners of an area; the polygon fills the form's
// hidden field as GeoJSON. Without JavaScript the form still works by choosing an operation,
// and the server checks the area's size whatever the script sends. The drawing itself is the
// one operation leads use (area-draw.ts).
import { enhanceAreaDrawing } from "./area-draw.ts";

export function enhanceAlertAreaMaps(): void {
  for (const container of document.querySelectorAll<HTMLElement>("[data-alert-area-map]")) {
    void enhanceAreaDrawing(container);
  }
}
