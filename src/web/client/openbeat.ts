// Progressive enhancement only: every page works without this script. It starts GOV.UK
// Frontend's components and turns a location field into a Leaflet map where one is offered.
import { initAll } from "govuk-frontend";
import { enhanceLocationMaps } from "./location-map.ts";
import { enhanceAlertAreaMaps } from "./alert-area.ts";
import { enhanceAreaDrawMaps } from "./area-draw.ts";
import { followImportProgress } from "./import-progress.ts";

initAll();
enhanceLocationMaps();
enhanceAlertAreaMaps();
enhanceAreaDrawMaps();
followImportProgress();
