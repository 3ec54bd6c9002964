// The "where" map: a resident drops a pin; the pin fills the form's latitude and longitude
// fields. Tiles come from openbeat's own proxy (no third party sees who is looking), and with
// no tile server the map still shows the operation's areas, and the street description remains.
import L from "leaflet";
import { addTiles } from "./tile-layer.ts";

export function enhanceLocationMaps(): void {
  for (const container of document.querySelectorAll<HTMLElement>("[data-location-map]")) {
    void enhance(container);
  }
}

async function enhance(container: HTMLElement): Promise<void> {
  const latitudeInput = document.getElementById(container.dataset.latitudeField ?? "") as HTMLInputElement | null;
  const longitudeInput = document.getElementById(container.dataset.longitudeField ?? "") as HTMLInputElement | null;
  const status = document.getElementById(container.dataset.statusId ?? "");
  if (!latitudeInput || !longitudeInput) return;

  container.hidden = false;
  const map = L.map(container, { keyboard: true }).setView(
    [Number(container.dataset.centreLatitude), Number(container.dataset.centreLongitude)],
    Number(container.dataset.zoom ?? 15),
  );
  addTiles(map, container);
  if (container.dataset.areas) {
    try {
      const response = await fetch(container.dataset.areas, { headers: { accept: "application/json" } });
      const areas = await response.json();
      L.geoJSON(areas, {
        style: (feature) => ({
          color: feature?.properties?.role === "target" ? "#1d70b8" : "#505a5f",
          weight: 2,
          fillOpacity: feature?.properties?.role === "target" ? 0.1 : 0,
          dashArray: feature?.properties?.role === "target" ? undefined : "4 4",
        }),
      }).addTo(map);
    } catch {
      // The areas are a guide only; the pin still works without them.
    }
  }

  let marker: L.Marker | null = null;
  const place = (latLng: L.LatLng) => {
    marker ??= L.marker(latLng, { keyboard: false }).addTo(map);
    marker.setLatLng(latLng);
    latitudeInput.value = latLng.lat.toFixed(6);
    longitudeInput.value = latLng.lng.toFixed(6);
    if (status) status.textContent = "Pin placed. You can move it by selecting another place on the map.";
  };
  if (latitudeInput.value && longitudeInput.value) {
    place(L.latLng(Number(latitudeInput.value), Number(longitudeInput.value)));
  }
  map.on("click", (event: L.LeafletMouseEvent) => place(event.latlng));
  // Keyboard users: Enter drops the pin at the centre of the view, which the arrow keys move.
  container.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      place(map.getCenter());
    }
  });
}
