// Drawing an area on a map: select the map to place corners one after another, and the polygon
// fills a form field as GeoJSON (a resident's alert area, an operation's target, buffer or
// comparison). Without JavaScript the field is still there to paste GeoJSON into (or, for
// alerts, an operation to choose instead), and the server checks whatever this script sends.
// The map may also show an operation's stored areas (data-areas, a GeoJSON URL) and other
// fields' areas on the same page as guides (data-guides, their ids); with no field it only shows.
import L from "leaflet";
import { addTiles } from "./tile-layer.ts";

type Polygonal = GeoJSON.Polygon | GeoJSON.MultiPolygon;

const STYLES: Record<string, L.PathOptions> = {
  target: { color: "#1d70b8", weight: 2, fillOpacity: 0.1 },
  buffer: { color: "#505a5f", weight: 2, fillOpacity: 0, dashArray: "6 4" },
  comparison: { color: "#00703c", weight: 2, fillOpacity: 0.05, dashArray: "2 4" },
  guide: { color: "#505a5f", weight: 1, fillOpacity: 0, dashArray: "4 4" },
  pasted: { color: "#1d70b8", weight: 2, fillOpacity: 0.05, dashArray: "8 4" },
  drawn: { color: "#1d70b8", weight: 2, fillOpacity: 0.15 },
};

export function enhanceAreaDrawMaps(): void {
  for (const container of document.querySelectorAll<HTMLElement>("[data-area-draw]")) {
    void enhanceAreaDrawing(container);
  }
}

/** A polygon or multipolygon in a field's text (bare, or in a Feature), or null. */
function parseArea(text: string): Polygonal | null {
  if (!text.trim()) return null;
  try {
    const parsed = JSON.parse(text) as { type?: string; geometry?: unknown };
    const geometry = (parsed.type === "Feature" ? parsed.geometry : parsed) as Polygonal | null;
    return geometry && (geometry.type === "Polygon" || geometry.type === "MultiPolygon") && Array.isArray(geometry.coordinates) ? geometry : null;
  } catch {
    return null;
  }
}

export async function enhanceAreaDrawing(container: HTMLElement): Promise<void> {
  const field = document.getElementById(container.dataset.areaField ?? "") as HTMLInputElement | HTMLTextAreaElement | null;
  const status = document.getElementById(container.dataset.statusId ?? "");
  if (container.dataset.areaField && !field) return;

  container.hidden = false;
  const map = L.map(container, { keyboard: true }).setView(
    [Number(container.dataset.centreLatitude), Number(container.dataset.centreLongitude)],
    Number(container.dataset.zoom ?? 15),
  );
  addTiles(map, container);

  // What the view opens on: the areas named in data-fit, the guides and the area in the field.
  const fitRoles = (container.dataset.fit ?? "").split(/\s+/).filter(Boolean);
  const framing: L.FeatureGroup = L.featureGroup().addTo(map);
  const guides = L.featureGroup().addTo(map);
  const pasted = L.geoJSON(undefined, { style: () => STYLES.pasted! });
  const corners: L.LatLng[] = [];
  const shape = L.polygon([], STYLES.drawn);

  // The map may start inside a choice that is hidden until picked: measure it again when it
  // shows, and open it on the areas the first time it has a size.
  let fitted = false;
  const fit = () => {
    if (fitted || container.clientWidth === 0 || container.clientHeight === 0) return;
    const bounds = L.latLngBounds([]);
    for (const group of [framing, guides, pasted]) if (group.getLayers().length) bounds.extend(group.getBounds());
    if (corners.length) bounds.extend(L.latLngBounds(corners));
    if (!bounds.isValid()) return;
    map.fitBounds(bounds, { padding: [24, 24], animate: false });
    fitted = true;
  };
  new ResizeObserver(() => {
    map.invalidateSize();
    fit();
  }).observe(container);

  if (container.dataset.areas) {
    try {
      const response = await fetch(container.dataset.areas, { headers: { accept: "application/json" } });
      const collection = (await response.json()) as GeoJSON.FeatureCollection;
      for (const feature of collection.features ?? []) {
        const role = String(feature.properties?.role ?? "");
        // The area being changed is shown from its field instead, when the field holds it.
        if (role === container.dataset.editing && field && parseArea(field.value)) continue;
        const layer = L.geoJSON(feature, { style: () => STYLES[role] ?? STYLES.guide! });
        if (fitRoles.includes(role)) framing.addLayer(layer);
        else layer.addTo(map);
      }
    } catch {
      // The stored areas are a guide only.
    }
  }
  fit();
  if (!field) return;
  shape.addTo(map);

  const guideFields = (container.dataset.guides ?? "")
    .split(/\s+/)
    .map((id) => document.getElementById(id) as HTMLTextAreaElement | null)
    .filter((element): element is HTMLTextAreaElement => element !== null);
  const drawGuides = () => {
    guides.clearLayers();
    for (const guide of guideFields) {
      const geometry = parseArea(guide.value);
      if (geometry) guides.addLayer(L.geoJSON(geometry, { style: () => STYLES[guide.id.split("-")[0]!] ?? STYLES.guide! }));
    }
  };
  for (const guide of guideFields) {
    guide.addEventListener("change", () => {
      drawGuides();
      fit();
    });
  }
  drawGuides();

  // Text in the field that is not a drawing (a pasted multipolygon, a polygon with holes, or
  // something the server will explain) is kept, and comes back when the drawing is cleared.
  let kept = "";
  const say = (text: string) => {
    if (status) status.textContent = text;
  };
  const update = (write: boolean) => {
    shape.setLatLngs(corners);
    if (corners.length > 0) map.removeLayer(pasted);
    else pasted.addTo(map);
    if (write) {
      field.value =
        corners.length >= 3
          ? JSON.stringify({ type: "Polygon", coordinates: [[...corners, corners[0]!].map((c) => [Number(c.lng.toFixed(6)), Number(c.lat.toFixed(6))])] })
          : kept;
    }
    if (corners.length >= 3) say(`Area with ${corners.length} corners drawn. Add more corners, or continue.`);
    else if (corners.length) say(`${corners.length} of at least 3 corners placed.`);
    else if (pasted.getLayers().length) say("The area in the GeoJSON box is shown on the map. Select the map to draw a new one instead.");
    else say("Select the map to place the first corner.");
  };
  const load = () => {
    corners.splice(0, corners.length);
    pasted.clearLayers();
    kept = "";
    const geometry = parseArea(field.value);
    if (geometry?.type === "Polygon" && geometry.coordinates.length === 1) {
      for (const [lng, lat] of geometry.coordinates[0]!.slice(0, -1)) corners.push(L.latLng(lat!, lng!));
    } else {
      if (geometry) pasted.addData(geometry);
      kept = field.value;
    }
    update(false);
  };
  field.addEventListener("change", () => {
    load();
    fit();
  });
  load();
  fit();

  const add = (latLng: L.LatLng) => {
    // Once drawing starts the view stays where the person put it.
    fitted = true;
    corners.push(latLng);
    update(true);
  };
  map.on("click", (event: L.LeafletMouseEvent) => add(event.latlng));
  // Keyboard users: Enter adds a corner at the centre of the view, which the arrow keys move.
  container.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add(map.getCenter());
    }
  });

  const controls = document.createElement("div");
  controls.className = "govuk-button-group govuk-!-margin-top-2";
  for (const [label, action] of [
    ["Remove the last corner", () => corners.pop()],
    ["Start again", () => corners.splice(0, corners.length)],
  ] as const) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary";
    button.textContent = label;
    button.addEventListener("click", () => {
      action();
      update(true);
    });
    controls.append(button);
  }
  container.after(controls);
}
