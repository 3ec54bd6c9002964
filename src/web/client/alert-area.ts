// The alerts map: a resident places the corners of an area; the polygon fills the form's
// hidden field as GeoJSON. Without JavaScript the form still works by choosing an operation,
// and the server checks the area's size whatever this script sends.
import L from "leaflet";

export function enhanceAlertAreaMaps(): void {
  for (const container of document.querySelectorAll<HTMLElement>("[data-alert-area-map]")) {
    void enhance(container);
  }
}

async function enhance(container: HTMLElement): Promise<void> {
  const input = document.getElementById(container.dataset.areaField ?? "") as HTMLInputElement | null;
  const status = document.getElementById(container.dataset.statusId ?? "");
  if (!input) return;

  container.hidden = false;
  const map = L.map(container, { keyboard: true }).setView(
    [Number(container.dataset.centreLatitude), Number(container.dataset.centreLongitude)],
    Number(container.dataset.zoom ?? 15),
  );
  // The map starts inside a choice that is hidden until picked: measure it again when it shows.
  new ResizeObserver(() => map.invalidateSize()).observe(container);
  if (container.dataset.tiles) {
    L.tileLayer(container.dataset.tiles, { maxZoom: 19, attribution: container.dataset.attribution ?? "" }).addTo(map);
  }
  if (container.dataset.areas) {
    try {
      const response = await fetch(container.dataset.areas, { headers: { accept: "application/json" } });
      L.geoJSON(await response.json(), { style: () => ({ color: "#505a5f", weight: 1, fillOpacity: 0, dashArray: "4 4" }) }).addTo(map);
    } catch {
      // The operation's outline is a guide only.
    }
  }

  const corners: L.LatLng[] = [];
  const shape = L.polygon([], { color: "#1d70b8", weight: 2, fillOpacity: 0.15 }).addTo(map);
  const say = (text: string) => {
    if (status) status.textContent = text;
  };
  const update = () => {
    shape.setLatLngs(corners);
    if (corners.length >= 3) {
      const ring = [...corners, corners[0]!].map((c) => [Number(c.lng.toFixed(6)), Number(c.lat.toFixed(6))]);
      input.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      say(`Area with ${corners.length} corners drawn. Add more corners, or continue.`);
    } else {
      input.value = "";
      say(corners.length ? `${corners.length} of at least 3 corners placed.` : "Select the map to place the first corner.");
    }
  };

  if (input.value) {
    try {
      const ring = (JSON.parse(input.value) as { coordinates: number[][][] }).coordinates[0] ?? [];
      for (const [lng, lat] of ring.slice(0, -1)) corners.push(L.latLng(lat!, lng!));
      if (corners.length) map.fitBounds(L.latLngBounds(corners));
    } catch {
      input.value = "";
    }
  }
  update();

  const add = (latLng: L.LatLng) => {
    corners.push(latLng);
    update();
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
      update();
    });
    controls.append(button);
  }
  container.after(controls);
}
