import { createMap, drawBoundaries, readJson } from "./map.js";

const element = document.getElementById("watch-map");
const geometry = readJson("watch-geometry");
if (element && geometry) {
  const map = createMap(element);
  drawBoundaries(map, readJson("boundaries"), { fit: false });
  const area = L.geoJSON(geometry, { style: { className: "watch-area", color: "#c2410c", weight: 3, fillOpacity: 0.15 } }).addTo(map);
  map.fitBounds(area.getBounds(), { padding: [24, 24] });
}
