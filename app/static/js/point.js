// A request's own small map: its point, nothing else to load.
import { createMap, requestMarker, readJson } from "./map.js";

const element = document.getElementById("request-map");
const point = readJson("map-point");
if (element && point) {
  const map = createMap(element, { centre: [point.lat, point.lng], zoom: 16 });
  requestMarker(point).addTo(map);
}
